/**
 * Messages between the performance panel's webview (src/views/webview/panel.ts) and the extension, typed both ways
 * (as GitLens does: commands from the webview, notifications to it). Both sides import this file; it is bundled into
 * the webview too, so it holds only types and plain data (no vscode, no Node).
 */
import type { Percentiles } from '../protocol';

/** The panel's stages, in the order its table shows them. `first partial` is timed from speech start. */
export const PANEL_STAGES = ['capture', 'vad', 'mel', 'encoder', 'decoder', 'processing', 'insert', 'first partial'] as const;
export type PanelStage = (typeof PANEL_STAGES)[number];

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
  /** Per stage, keyed by a PANEL_STAGES name; a stage without timings yet is absent. */
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
