/** What the progress notification says while a Whisper model loads, and after. No vscode import (unit-tested). */
import type { ModelName } from '../protocol';
import { formatDuration } from './duration';

/** While loading, e.g. "Preparing Whisper base (first use): 3 s" or "Loading Whisper tiny: 1 s". */
export function preparingText(model: ModelName, firstUse: boolean, elapsedMs: number): string {
  const seconds = `${Math.floor(elapsedMs / 1000)} s`;
  return firstUse ? `Preparing Whisper ${model} (first use): ${seconds}` : `Loading Whisper ${model}: ${seconds}`;
}

/** Once loaded, e.g. "Whisper base ready in 3.1 s (prepared once and cached: later starts take about a second)." */
export function readyText(model: ModelName, elapsedMs: number, firstUse: boolean): string {
  const why = firstUse ? ' (prepared once and cached: later starts are faster)' : '';
  return `Whisper ${model} ready in ${formatDuration(elapsedMs)}${why}.`;
}
