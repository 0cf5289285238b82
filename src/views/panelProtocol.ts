/**
 * Messages between the performance panel's webview (media/panel.js) and the extension, typed both ways
 * (as GitLens does: commands from the webview, notifications to it). media/panel.js mirrors these shapes.
 */
import { Percentiles } from '../protocol';

export interface PanelUtterance {
  id: number;
  text: string;
  /** Epoch ms when the text was in the editor. */
  at: number;
  audioMs: number;
  endOfSpeechToTextMs: number;
  latencyMs: number;
  melMs: number;
  encoderMs: number;
  decoderMs: number;
  insertMs: number;
  tokens: number;
  inserted: boolean;
}

export interface PanelSnapshot {
  state: string;
  detail?: string;
  model?: string;
  encoderWindow?: string;
  /** fast, balanced, accurate or custom. */
  profile?: string;
  /** Per stage: capture, vad, mel, encoder, decoder, processing, insert, first partial (from speech start). */
  stages: Record<string, Percentiles>;
  /** Processing time over audio time, median of recent utterances (below 1 is faster than real time). */
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
export type PanelCommand = { type: 'ready' } | { type: 'toggleDictation' };
