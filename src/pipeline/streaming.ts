/**
 * Work done while the user is still speaking, or already silent but before the hangover has run out:
 * - partials: every PARTIAL_EVERY_MS of new speech the open utterance is transcribed again; the tokens two
 *   consecutive passes agree on are committed (LocalAgreement-2) and sent as `partial`, the rest as tentative;
 * - speculation: once the post-roll after the last voiced frame is in, the utterance is transcribed exactly as it
 *   will be when the hangover closes it. If no speech comes back, that result is the final one: when the segmenter
 *   closes the utterance, only the wait for that pass remains.
 * The final pass is not forced to start with the committed text: passes over a cut-off utterance write differently
 * ("8 of spades" where the whole utterance gives "Eight of spades"), and forcing their agreement into the final
 * cost words in measurement. Partials are a preview; the final replaces them.
 * Nothing here runs while Whisper is busy: speculative work never delays a final.
 */
import { Utterance, UtteranceSegmenter } from './segmenter';
import { Whisper, WhisperResult } from './whisper/whisper';

/** Speech between two partial passes once one has given text, ms. */
export const PARTIAL_EVERY_MS = 500;
/**
 * The first partial pass runs once the open utterance (pre-roll of 300 ms included) is this long, ms: about 200 ms of
 * speech. Until a pass gives text, the next follows FIRST_RETRY_MS later: the first interim text should come within
 * ~600 ms of speech starting (npm run bench, live: first partial p50 ~360 ms).
 */
export const FIRST_PARTIAL_MS = 500;
export const FIRST_RETRY_MS = 200;

export interface StreamingOptions {
  partials: boolean;
  speculate: boolean;
}

export interface PartialText {
  utteranceId: number;
  /** Agreed by two consecutive passes. */
  committed: string;
  /** The latest pass's guess after the committed text. */
  tentative: string;
}

interface Speculation {
  utteranceId: number;
  endSample: number;
  result: Promise<WhisperResult>;
}

export class SpeculativeTranscriber {
  private utteranceId = -1;
  private lastPartialAt = 0;
  private hadText = false;
  private previous: number[] = [];
  private committed: number[] = [];
  private speculation?: Speculation;

  constructor(
    private readonly whisper: Whisper,
    private readonly language: string,
    private readonly opts: StreamingOptions,
    private readonly onPartial: (p: PartialText) => void,
  ) {}

  /** After each frame: starts a partial or a speculative pass when one is due and Whisper is free. */
  tick(seg: UtteranceSegmenter): void {
    if (!seg.speaking) return;
    if (seg.openUtteranceId !== this.utteranceId) {
      this.reset();
      this.utteranceId = seg.openUtteranceId;
    }
    if (this.whisper.busy) return;
    const silence = seg.streamPosition - seg.lastVoicedSample;
    if (silence >= seg.postRoll) {
      const end = seg.lastVoicedSample + seg.postRoll;
      if (this.opts.speculate && this.speculation?.endSample !== end) {
        const result = this.whisper.transcribe(seg.snapshot(end), this.language);
        result.catch(() => undefined);
        this.speculation = { utteranceId: this.utteranceId, endSample: end, result };
      }
      return;
    }
    if (!this.opts.partials || silence > 0) return;
    const spoken = seg.streamPosition - seg.utteranceStart;
    const due = this.lastPartialAt === 0
      ? msToSamples(FIRST_PARTIAL_MS)
      : this.lastPartialAt + msToSamples(this.hadText ? PARTIAL_EVERY_MS : FIRST_RETRY_MS);
    if (spoken < due) return;
    this.lastPartialAt = spoken;
    const id = this.utteranceId;
    void this.whisper.transcribe(seg.snapshot(seg.streamPosition), this.language).then(
      (r) => this.agree(id, r),
      () => undefined,
    );
  }

  /** The final result of a closed utterance: the speculation's when it covered exactly this audio. */
  async finalFor(u: Utterance): Promise<{ result: WhisperResult; speculative: boolean }> {
    const s = this.speculation;
    this.reset();
    if (s && s.utteranceId === u.id && s.endSample === u.endSample) {
      return { result: await s.result, speculative: true };
    }
    return { result: await this.whisper.transcribe(u.samples, this.language), speculative: false };
  }

  private reset(): void {
    this.utteranceId = -1;
    this.lastPartialAt = 0;
    this.hadText = false;
    this.previous = [];
    this.committed = [];
    this.speculation = undefined;
  }

  /**
   * LocalAgreement-2: what this pass and the previous one both say, less the last (maybe cut) token, is committed;
   * committed text only grows. The tentative part is this pass's text after it.
   */
  private agree(id: number, r: WhisperResult): void {
    if (id !== this.utteranceId || r.rejected) return;
    const tokens = r.tokens;
    const n = commonPrefix(tokens, this.previous);
    if (n - 1 > this.committed.length && startsWith(tokens, this.committed)) this.committed = tokens.slice(0, n - 1);
    this.previous = tokens;
    const tok = this.whisper.tokenizer;
    if (r.text) this.hadText = true;
    this.onPartial({
      utteranceId: id,
      committed: tok.decode(this.committed),
      // After the committed text: this pass's words from where it stops agreeing with it.
      tentative: tok.decode(tokens.slice(commonPrefix(tokens, this.committed))),
    });
  }
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function startsWith(tokens: readonly number[], prefix: readonly number[]): boolean {
  if (prefix.length > tokens.length) return false;
  for (let i = 0; i < prefix.length; i++) if (tokens[i] !== prefix[i]) return false;
  return true;
}

function msToSamples(ms: number): number {
  return Math.round((ms * 16000) / 1000);
}
