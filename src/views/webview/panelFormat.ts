/**
 * What the performance panel writes into its page, as plain strings and numbers: the webview (panel.ts) only puts
 * them into the DOM. No DOM here, so the unit tests run it in Node.
 */
import type { Percentiles } from '../../protocol';
import { formatDuration } from '../duration';
import { PANEL_STAGES, STAGE_EXPLANATIONS, type PanelSnapshot, type PanelUtterance } from '../panelProtocol';
import { clockTime } from './latencyChart';

/** Shown for a figure that has no value yet. */
export const NO_VALUE = '–';
/** The utterances table shows the newest this many, newest first. */
export const SHOWN_UTTERANCES = 20;
/** The level meter's empty end, dBFS (0 dBFS is full). */
export const LEVEL_FLOOR_DBFS = -60;
/** The RMS taken as silence, so that log10 stays finite. */
const MIN_RMS = 1e-6;
const BYTES_PER_MB = 1048576;

/** A duration: "712 ms" under a second, "3.6 s" above; a dash when there is none. */
export const formatMs = (v: number | undefined | null): string => (v === undefined || v === null ? NO_VALUE : formatDuration(v));

export const formatRealTimeFactor = (v: number | undefined): string => (v === undefined ? NO_VALUE : `${v.toFixed(3)}x`);

export const formatCpuPercent = (v: number | undefined): string => (v === undefined ? NO_VALUE : `${v.toFixed(1)} %`);

export const formatRss = (bytes: number | undefined): string => (bytes === undefined ? NO_VALUE : `${Math.round(bytes / BYTES_PER_MB)} MB`);

const STATE_WORDS: Record<string, string> = {
  idle: 'Idle',
  starting: 'Starting',
  loading: 'Loading model',
  listening: 'Listening',
  speech: 'Hearing speech',
  transcribing: 'Transcribing',
  error: 'Error',
};

/** The state in a word for the header (its detail goes on a line of its own, detailText). */
export const stateText = (s: PanelSnapshot): string => STATE_WORDS[s.state] ?? s.state;

/** The line under the header: the device listened to, or what went wrong ('' when nothing). */
export const detailText = (s: PanelSnapshot): string =>
  !s.detail ? '' : s.state === 'error' ? s.detail : isDictating(s.state) ? `Listening on ${s.detail}` : s.detail;

/** Whether the toggle button stops dictation (anything but idle or error is a running session). */
export const isDictating = (state: string): boolean => state !== 'idle' && state !== 'error';

export const toggleLabel = (state: string): string => (isDictating(state) ? 'Stop dictation' : 'Start dictation');

/** The model line under the title, e.g. "Whisper tiny · variable window · profile fast". */
export const modelLine = (s: PanelSnapshot): string =>
  [s.model ? `Whisper ${s.model}` : '', s.encoderWindow ? `${s.encoderWindow} window` : '', s.profile ? `profile ${s.profile}` : '']
    .filter(Boolean)
    .join(' · ');

/** What to do when there is nothing to show yet (with this model). */
export function emptyText(s: PanelSnapshot, otherModels: boolean): string {
  const what = `Start dictation (${s.toggleKey}) and speak: figures appear here.`;
  return otherModels && s.model ? `No utterance with Whisper ${s.model} yet. ${what}` : what;
}

/** The stages heading: the model and the utterances the figures come from. */
export const stagesTitle = (s: PanelSnapshot): string =>
  `Stages with Whisper ${s.model ?? '?'}: ${s.utterances} utterance${s.utterances === 1 ? '' : 's'}${s.since ? ` since ${clockTime(s.since)}` : ''}`;

/** The felt-latency card's line: the percentiles over the current model's utterances. */
export const feltSub = (s: PanelSnapshot): string => {
  const p = s.stages['felt latency'];
  return p ? `end of speech to text · p50 ${formatMs(p.p50)}, p95 ${formatMs(p.p95)}` : 'end of speech to text in the editor';
};

/** The processing card's line. */
export const processingSub = (s: PanelSnapshot): string =>
  s.hangoverMs === undefined ? 'after the pause that ends speech' : `after the ${formatMs(s.hangoverMs)} pause that ends speech`;

export interface StageRow {
  name: string;
  /** The stage name's hover text. */
  title: string;
  /** p50, p95, p99, n. */
  cells: string[];
}

/** The Stages table: one row per stage that has timings, in PANEL_STAGES order. */
export function stageRows(stages: Record<string, Percentiles>): StageRow[] {
  return PANEL_STAGES.filter((n) => stages[n]).map((n) => {
    const p = stages[n];
    return { name: n, title: STAGE_EXPLANATIONS[n], cells: [formatMs(p.p50), formatMs(p.p95), formatMs(p.p99), String(p.count)] };
  });
}

export interface UtteranceRow {
  /** text, audio, encoder, decoder, processing, felt. */
  cells: string[];
  inserted: boolean;
  /** The row's tooltip: the whole text, the model, and why it is not in the editor when it is not. */
  title: string;
}

/** The Last utterances table: the newest SHOWN_UTTERANCES, newest first. */
export function utteranceRows(list: readonly PanelUtterance[]): UtteranceRow[] {
  return list
    .slice(-SHOWN_UTTERANCES)
    .reverse()
    .map((u) => ({
      cells: [u.text, formatMs(u.audioMs), formatMs(u.encoderMs), formatMs(u.decoderMs), formatMs(u.processingMs), formatMs(u.feltMs)],
      inserted: u.inserted,
      title: [
        u.text,
        `Whisper ${u.model}${u.speculative ? '; ready when the pause ended (speculative pass)' : ''}`,
        u.inserted ? '' : 'Not inserted: kept on the clipboard and in the history.',
      ]
        .filter(Boolean)
        .join('\n'),
    }));
}

/** The Level meter's width, percent: RMS on a dB scale from LEVEL_FLOOR_DBFS (empty) to 0 dBFS (full). */
export function levelPercent(rms: number): number {
  const db = 20 * Math.log10(Math.max(rms, MIN_RMS));
  return Math.max(0, Math.min(100, ((db - LEVEL_FLOOR_DBFS) / -LEVEL_FLOOR_DBFS) * 100));
}

/** The Speech (VAD) meter's width, whole percent. */
export const speechPercent = (speechProbability: number): number => Math.round(speechProbability * 100);
