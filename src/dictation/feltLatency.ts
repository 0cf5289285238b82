/**
 * The latency the user feels: from the end of speech (the last voiced audio the engine captured) to the text in the
 * editor. The engine stamps the end of speech on the wall clock; the extension reads the same machine's clock once the
 * edit is applied. Pure, so the unit tests can hold it to its rules.
 */

/** Longer than this between the engine sending a final and the extension receiving it means a clock jumped. */
const MAX_TRANSPORT_MS = 10_000;

export interface FeltLatencyInput {
  /** Wall clock (epoch ms) of the end of speech, from the `final` notification. */
  speechEndedAt: number;
  /** The engine's own part: end of speech to the final being sent, ms. */
  endOfSpeechToTextMs: number;
  /** Wall clock (epoch ms) when the extension received the final. */
  receivedAt: number;
  /** Wall clock (epoch ms) when the text was in the editor (or on the clipboard). */
  doneAt: number;
}

/**
 * End of speech to text in the editor, ms. When the clock jumped between the two stamps (the result would be shorter
 * than the parts measured on one side each, or absurdly longer), the sum of those parts is used instead: it misses only
 * the hop between the processes.
 */
export function feltLatencyMs({ speechEndedAt, endOfSpeechToTextMs, receivedAt, doneAt }: FeltLatencyInput): number {
  const local = Math.max(0, doneAt - receivedAt);
  const parts = endOfSpeechToTextMs + local;
  const felt = doneAt - speechEndedAt;
  return Number.isFinite(felt) && felt >= parts && felt <= parts + MAX_TRANSPORT_MS ? felt : parts;
}
