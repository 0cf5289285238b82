/**
 * What the performance panel writes into its page, as plain strings and numbers: the webview (panel.ts) only puts
 * them into the DOM. No DOM here, so the unit tests run it in Node.
 */
import type { Percentiles } from '../../protocol';
import { PANEL_STAGES, type PanelSnapshot, type PanelUtterance } from '../panelProtocol';

/** Shown for a figure that has no value yet. */
export const NO_VALUE = '–';
/** The utterances table shows the newest this many, newest first. */
export const SHOWN_UTTERANCES = 20;
/** The level meter's empty end, dBFS (0 dBFS is full). */
export const LEVEL_FLOOR_DBFS = -60;
/** The RMS taken as silence, so that log10 stays finite. */
const MIN_RMS = 1e-6;
const BYTES_PER_MB = 1048576;

export const formatMs = (v: number | undefined | null): string => (v === undefined || v === null ? NO_VALUE : `${Math.round(v)} ms`);

export const formatRealTimeFactor = (v: number | undefined): string => (v === undefined ? NO_VALUE : `${v.toFixed(3)}x`);

export const formatCpuPercent = (v: number | undefined): string => (v === undefined ? NO_VALUE : `${v.toFixed(1)} %`);

export const formatRss = (bytes: number | undefined): string => (bytes === undefined ? NO_VALUE : `${Math.round(bytes / BYTES_PER_MB)} MB`);

/** The dictation state with its detail, e.g. "error (engine exited)". */
export const stateText = (s: PanelSnapshot): string => (s.detail ? `${s.state} (${s.detail})` : s.state);

/** Whether the toggle button stops dictation (anything but idle or error is a running session). */
export const isDictating = (state: string): boolean => state !== 'idle' && state !== 'error';

export const toggleLabel = (state: string): string => (isDictating(state) ? 'Stop dictation' : 'Start dictation');

/** The Profile card's value: the profile, else the model. */
export const profileText = (s: PanelSnapshot): string => s.profile || s.model || NO_VALUE;

/** The Profile card's line below it, e.g. "tiny, variable window" (empty when neither is known). */
export const profileDetail = (s: PanelSnapshot): string =>
  [s.model, s.encoderWindow ? `${s.encoderWindow} window` : ''].filter(Boolean).join(', ');

/** The Stages table: one row per stage that has timings, in PANEL_STAGES order: stage, p50, p95, p99, n. */
export function stageRows(stages: Record<string, Percentiles>): string[][] {
  return PANEL_STAGES.filter((n) => stages[n]).map((n) => {
    const p = stages[n];
    return [n, formatMs(p.p50), formatMs(p.p95), formatMs(p.p99), String(p.count)];
  });
}

export interface UtteranceRow {
  /** text, audio, mel, encoder, decoder, insert, latency. */
  cells: string[];
  inserted: boolean;
  /** The row's tooltip: the whole text, and why it is not in the editor when it is not. */
  title: string;
}

/** The Last utterances table: the newest SHOWN_UTTERANCES, newest first. */
export function utteranceRows(list: PanelUtterance[]): UtteranceRow[] {
  return list
    .slice(-SHOWN_UTTERANCES)
    .reverse()
    .map((u) => ({
      cells: [
        u.text,
        formatMs(u.audioMs),
        formatMs(u.melMs),
        formatMs(u.encoderMs),
        formatMs(u.decoderMs),
        formatMs(u.insertMs),
        formatMs(u.latencyMs),
      ],
      inserted: u.inserted,
      title: u.inserted ? u.text : `${u.text} (not inserted: kept on the clipboard and in the history)`,
    }));
}

/** The Level meter's width, percent: RMS on a dB scale from LEVEL_FLOOR_DBFS (empty) to 0 dBFS (full). */
export function levelPercent(rms: number): number {
  const db = 20 * Math.log10(Math.max(rms, MIN_RMS));
  return Math.max(0, Math.min(100, ((db - LEVEL_FLOOR_DBFS) / -LEVEL_FLOOR_DBFS) * 100));
}

/** The Speech (VAD) meter's width, whole percent. */
export const speechPercent = (speechProbability: number): number => Math.round(speechProbability * 100);
