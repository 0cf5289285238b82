/**
 * What the status bar item says, as plain strings (src/views/statusBar.ts puts them on screen). No vscode import, so
 * the unit tests read it.
 */
import type { DictationState } from '../dictation/dictationController';
import { formatDuration } from './duration';

export interface LatencyBudgets {
  warningMs: number;
  errorMs: number;
}

export type BudgetLevel = 'ok' | 'warning' | 'error';

/** The codicon per state: the UI test reads the state from it. */
export const STATE_ICONS: Record<DictationState, string> = {
  idle: '$(mic)',
  starting: '$(loading~spin)',
  loading: '$(loading~spin)',
  listening: '$(mic-filled)',
  speech: '$(record)',
  transcribing: '$(sync~spin)',
  error: '$(error)',
};

/** The words in the tooltip. */
export const STATE_WORDS: Record<DictationState, string> = {
  idle: 'idle',
  starting: 'starting',
  loading: 'loading the model',
  listening: 'listening',
  speech: 'hearing speech',
  transcribing: 'transcribing',
  error: 'error',
};

/** The states in which the microphone is open: the item says "Listening" on a coloured background. */
export const isListening = (state: DictationState): boolean => state === 'listening' || state === 'speech' || state === 'transcribing';

/**
 * Past which budget the felt latency is (a budget of 0 is off). `pauseMs`: the part of it that was the pause ending the
 * utterance, not counted (text that could not be shown before its utterance was final: the terminal, commands).
 */
export function budgetLevel(feltMs: number | undefined, { warningMs, errorMs }: LatencyBudgets, pauseMs = 0): BudgetLevel {
  if (feltMs === undefined) return 'ok';
  feltMs -= pauseMs;
  if (errorMs > 0 && feltMs > errorMs) return 'error';
  if (warningMs > 0 && feltMs > warningMs) return 'warning';
  return 'ok';
}

/**
 * The item's text: the state's icon, a word for what it is doing, and the last felt latency, e.g.
 * "$(mic) VoiceFlow 712 ms" when idle, "$(mic-filled) Listening 712 ms" while dictating ("$(warning)" before a figure
 * past a budget: while listening the background says "listening", not the budget).
 */
export function statusText(state: DictationState, feltMs: number | undefined, budgets: LatencyBudgets, pauseMs = 0): string {
  const word = isListening(state)
    ? 'Listening'
    : state === 'starting'
      ? 'VoiceFlow: starting'
      : state === 'loading'
        ? 'VoiceFlow: loading model'
        : 'VoiceFlow';
  const over = isListening(state) && budgetLevel(feltMs, budgets, pauseMs) !== 'ok' ? '$(warning) ' : '';
  const figure = feltMs === undefined || state === 'starting' || state === 'loading' ? '' : ` ${over}${formatDuration(feltMs)}`;
  return `${STATE_ICONS[state]} ${word}${figure}`;
}
