/**
 * The panel's statistics: per stage, over the utterances transcribed with the current model since it was chosen (a
 * model change starts them again, so tiny's figures never mix with base's). Pure: no vscode, unit-tested.
 */
import { summarize } from '../percentiles';
import type { Percentiles } from '../protocol';
import type { PanelUtterance } from './panelProtocol';

/** The model as the panel names it, e.g. "tiny, variable window". */
export const modelKey = (model: string | undefined, encoderWindow: string | undefined): string =>
  [model ?? '?', encoderWindow ? `${encoderWindow} window` : ''].filter(Boolean).join(', ');

/** The newest utterances in a row whose model is `key`: those since the model was last changed to it. */
export function sinceModelChange(list: readonly PanelUtterance[], key: string): PanelUtterance[] {
  let i = list.length;
  while (i > 0 && list[i - 1].model === key) i--;
  return list.slice(i);
}

export interface UtteranceStatistics {
  stages: Record<string, Percentiles>;
  realTimeFactor?: number;
}

/** Per-utterance stages (vad, mel, encoder, decoder, processing, insert, first partial, felt latency) and the median RTF. */
export function utteranceStatistics(list: readonly PanelUtterance[]): UtteranceStatistics {
  if (list.length === 0) return { stages: {} };
  const stages: Record<string, Percentiles> = {
    vad: summarize(list.map((u) => u.vadMs)),
    mel: summarize(list.map((u) => u.melMs)),
    encoder: summarize(list.map((u) => u.encoderMs)),
    decoder: summarize(list.map((u) => u.decoderMs)),
    processing: summarize(list.map((u) => u.processingMs)),
    insert: summarize(list.map((u) => u.insertMs)),
  };
  const partials = list.flatMap((u) => (u.firstPartialMs === undefined ? [] : [u.firstPartialMs]));
  if (partials.length) stages['first partial'] = summarize(partials);
  stages['felt latency'] = summarize(list.map((u) => u.feltMs));
  const rtf = list.filter((u) => u.audioMs > 0).map((u) => (u.melMs + u.encoderMs + u.decoderMs) / u.audioMs);
  return { stages, realTimeFactor: rtf.length ? summarize(rtf).p50 : undefined };
}
