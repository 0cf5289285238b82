/**
 * Messages between the performance panel's webview (src/views/webview/panel.ts) and the extension, typed both ways
 * (as GitLens does: commands from the webview, notifications to it). Both sides import this file; it is bundled into
 * the webview too, so it holds only types and plain data (no vscode, no Node).
 */
import type { Percentiles } from '../protocol';

/** The panel's stages, in the order its table shows them. */
export const PANEL_STAGES = [
  'capture',
  'vad',
  'mel',
  'encoder',
  'decoder',
  'processing',
  'insert',
  'first partial',
  'felt latency',
] as const;
export type PanelStage = (typeof PANEL_STAGES)[number];

/** What each stage is, for a reader who does not know the pipeline: the stage name's hover text. */
export const STAGE_EXPLANATIONS: Record<PanelStage, string> = {
  capture:
    'How long each 32 ms frame of audio waited between the microphone and the speech detector (per frame, since the engine started).',
  vad: "Speech detection (Silero VAD) on the utterance's frames, added up per utterance; it includes the time a frame waited while an interim pass held the engine, so it can exceed the utterance's own processing.",
  mel: "Turning the utterance's audio into the log-mel spectrogram that Whisper reads.",
  encoder: "Whisper's encoder over the audio: most of the work.",
  decoder: "Whisper's decoder writing the text, token by token.",
  processing:
    'From the end of the pause that closes an utterance to its final text. Often near 0 ms beside an encoder of 50 ms: ' +
    'the speculative pass ran Whisper during the pause, so the text was ready when the pause ended (encoder and decoder count that pass).',
  insert: 'Putting the text into the editor (one undo step).',
  'first partial': 'From the start of speech to the first interim text at the cursor.',
  'felt latency': 'What you wait: from the end of your speech to the text in the editor, the pause (voiceflow.hangoverMs) included.',
};

export interface PanelUtterance {
  id: number;
  text: string;
  /** Epoch ms when the text was in the editor. */
  at: number;
  /** The model it was transcribed with, e.g. "tiny, variable window": statistics start again when it changes. */
  model: string;
  audioMs: number;
  /** End of speech to text in the editor, ms: what the user waits. */
  feltMs: number;
  /** From the utterance's close (after the pause) to the final text, ms. */
  processingMs: number;
  /** The final came from the pass run during the pause. */
  speculative: boolean;
  vadMs: number;
  melMs: number;
  encoderMs: number;
  decoderMs: number;
  insertMs: number;
  /** From the start of speech to its first interim text, ms; absent when it had none. */
  firstPartialMs?: number;
  tokens: number;
  inserted: boolean;
}

export interface PanelSnapshot {
  state: string;
  detail?: string;
  model?: string;
  encoderWindow?: string;
  /** fast, balanced, accurate, precise or custom. */
  profile?: string;
  /** The key that toggles dictation, e.g. "Ctrl+Alt+D". */
  toggleKey: string;
  /** The pause that ends an utterance, ms (part of the felt latency). */
  hangoverMs?: number;
  /** The status bar's warning budget for the felt latency, ms (0: off). */
  warningMs?: number;
  /** Utterances with the current model since it was chosen: what `stages` and `realTimeFactor` are from. */
  utterances: number;
  /** Epoch ms of the first of them. */
  since?: number;
  /** Per stage, keyed by a PANEL_STAGES name; a stage without timings yet is absent. */
  stages: Record<string, Percentiles>;
  /** Processing time over audio time, median of those utterances (below 1 is faster than real time). */
  realTimeFactor?: number;
  cpuPercent?: number;
  rssBytes?: number;
  enginePid?: number;
}

/** Extension -> webview. */
export type PanelNotification =
  | { type: 'snapshot'; snapshot: PanelSnapshot }
  | { type: 'utterances'; utterances: PanelUtterance[] }
  | { type: 'level'; rms: number; speechProbability: number; speaking: boolean };

/** Webview -> extension. */
export type PanelCommand = { type: 'ready' } | { type: 'toggleDictation' } | { type: 'copyReport' };
