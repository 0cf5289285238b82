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
import { cutOffInSpeech, Utterance, UtteranceSegmenter } from './segmenter';
import { plainWords, SpeechEvidence, SpeechEvidenceMeter } from '../whisper/guards';
import { finalWindow, TranscribeOptions, WhisperResult, windowFrames } from '../whisper/whisper';
import { SpeechModel } from '../whisper/whisperThread';

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
  /** Tell the session (`onSpeculation`) each speculative pass's result, for a `provisional` notification. */
  provisional?: boolean;
  /**
   * Tell the session (`onSentenceEnd`) when the speculative pass ends a sentence with a closing mark at least this
   * probable, to close early; 0 or undefined: never.
   */
  earlyClose?: number;
  /** Decode an utterance that follows the previous one within CONTINUITY_MAX_PAUSE_MS with its text as context. */
  continuity?: boolean;
  /** The vocabulary prompt's tokens now (the client may change them mid-session); read at each pass. */
  vocabulary?: () => readonly number[] | undefined;
  /**
   * Finals on the model's final window (EngineLevers.secondLook): where it is longer than the fast one for the audio,
   * the speculative pass (provisional text) is followed by a second one on it, which is the final: started in the
   * hangover as soon as Whisper is free, it revises the provisional text where it reads other words.
   */
  secondLook?: boolean;
}

/** The longest pause after which an utterance still continues the previous one's text (continuity), ms. */
export const CONTINUITY_MAX_PAUSE_MS = 2000;

/**
 * The probability the bench's early-close row uses: at it, about half of the sentence ends close early and no pass
 * cut mid-sentence did (docs/decisions.md, "Early close").
 */
export const EARLY_CLOSE_PROBABILITY = 0.8;

/** True when a pass's text ends a sentence (. ? ! maybe before a closing quote or bracket) with a mark this probable. */
export function endsSentence(
  r: Pick<WhisperResult, 'text' | 'rejected' | 'lastTokenLogprob'>,
  minProbability = EARLY_CLOSE_PROBABILITY,
): boolean {
  return !r.rejected && /[.?!]["'\u201d)\]]?$/u.test(r.text.trim()) && r.lastTokenLogprob >= Math.log(minProbability);
}

/**
 * Of two readings of the same audio, the second, unless it lost what the first heard (no speech, no text) or reads
 * the same words: then the first, whose text is already out as provisional, stays, and the editor is not rewritten
 * for a full stop or a capital alone.
 */
export function keptOf(first: WhisperResult, second: WhisperResult): WhisperResult {
  const heard = (r: WhisperResult) => !r.rejected && r.text.trim() !== '';
  if (!heard(first)) return second;
  return !heard(second) || plainWords(first.text).join(' ') === plainWords(second.text).join(' ') ? first : second;
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
  /** The pass on the model's fast window: provisional text, early close, and the final unless secondLook reads on. */
  result: Promise<WhisperResult>;
  /** Its audio and options, for the second look; a final under another vocabulary prompt decodes again. */
  audio: Float32Array;
  options: TranscribeOptions;
  /** Whether the session is told this speculation's results (provisional text, early close). */
  told: boolean;
  /** Its second look, started in the hangover once Whisper is free again: the final if the utterance closes here. */
  second?: Promise<WhisperResult>;
}

export class SpeculativeTranscriber {
  private utteranceId = -1;
  private lastPartialAt = 0;
  private hadText = false;
  private previous: number[] = [];
  private committed: number[] = [];
  private speculation?: Speculation;
  /** Where a speculative pass of the open utterance would end now (its last voiced sample plus the post-roll). */
  private speculationEnd = -1;
  /** The VAD's evidence for the open utterance (`heard`), and for those closed but not yet transcribed. */
  private readonly meter = new SpeechEvidenceMeter();
  private heard = -1;
  private readonly closedEvidence = new Map<number, SpeechEvidence>();
  /** The last final with text: its tokens and where its speech ended (continuity). */
  private said?: { tokens: readonly number[]; endSample: number };

  constructor(
    private readonly whisper: SpeechModel,
    private readonly language: string,
    private readonly opts: StreamingOptions,
    private readonly onPartial: (p: PartialText) => void,
    /**
     * The speculative pass of the open utterance `utteranceId`, up to `endSample`, is done (with `provisional`), and
     * whether it ends a sentence (with `earlyClose`); so is its second look where that reads other words. Only the
     * latest pass is told, only while speech has not come back since it began, and only when the segmenter would keep
     * the utterance closed there (not a blip or a held tone).
     */
    private readonly onSpeculation?: (utteranceId: number, endSample: number, r: WhisperResult, endsSentence: boolean) => void,
  ) {}

  /**
   * After each frame, with its speech probability: starts a partial or a speculative pass when one is due and
   * Whisper is free.
   */
  tick(seg: UtteranceSegmenter, probability?: number): void {
    if (this.heard < 0) return;
    if (probability !== undefined) this.meter.add(probability);
    this.speculationEnd = seg.lastVoicedSample + seg.postRoll;
    if (this.whisper.busy) return;
    const silence = seg.streamPosition - seg.lastVoicedSample;
    if (silence >= seg.postRoll) {
      const end = seg.lastVoicedSample + seg.postRoll;
      if (this.opts.speculate && this.speculation?.endSample !== end) {
        const previous = this.contextFor(seg.utteranceStart);
        const audio = seg.snapshot(end);
        const options = { speech: this.meter.evidence, previous, vocabulary: this.opts.vocabulary?.() };
        const result = this.whisper.transcribe(audio, this.language, options);
        result.catch(() => undefined);
        const minProbability = this.opts.earlyClose ?? 0;
        const told = (minProbability > 0 || !!this.opts.provisional) && !!this.onSpeculation && seg.wouldKeep(audio);
        const speculation: Speculation = { utteranceId: this.utteranceId, endSample: end, result, audio, options, told };
        this.speculation = speculation;
        if (told)
          result.then(
            (r) => this.tell(speculation, r),
            () => undefined,
          );
      } else if (this.speculation) {
        this.lookAgain(this.speculation);
      }
      return;
    }
    if (!this.opts.partials || silence > 0) return;
    const spoken = seg.streamPosition - seg.utteranceStart;
    const due =
      this.lastPartialAt === 0
        ? msToSamples(FIRST_PARTIAL_MS)
        : this.lastPartialAt + msToSamples(this.hadText ? PARTIAL_EVERY_MS : FIRST_RETRY_MS);
    if (spoken < due) return;
    this.lastPartialAt = spoken;
    const id = this.utteranceId;
    const options = { speech: this.meter.evidence, previous: this.contextFor(seg.utteranceStart), vocabulary: this.opts.vocabulary?.() };
    void this.whisper.transcribe(seg.snapshot(seg.streamPosition), this.language, options).then(
      (r) => this.agree(id, r),
      () => undefined,
    );
  }

  /** The session hears of a speculative pass's result (or its second look's) while speech has not come back since. */
  private tell(s: Speculation, r: WhisperResult): void {
    const minProbability = this.opts.earlyClose ?? 0;
    if (this.speculation === s && s.endSample === this.speculationEnd)
      this.onSpeculation?.(s.utteranceId, s.endSample, r, minProbability > 0 && endsSentence(r, minProbability));
  }

  /**
   * The second look of speculation `s`, started in the hangover (Whisper is free, so its first pass is done): the
   * final if the utterance closes at this end, and where it reads other words, the provisional text is revised now,
   * not after the hangover (base, live: felt p95 on 1-5 s utterances 1692 -> 373 ms; docs/decisions.md, "A second
   * look for finals"). If speech comes back first, it is dropped with its speculation.
   */
  private lookAgain(s: Speculation): void {
    if (s.second || !this.needsSecondLook(s.audio)) return;
    const second = s.result.then((first) => this.secondLook(first, s.audio, s.options));
    s.second = second;
    second.catch(() => undefined);
    if (s.told)
      Promise.all([s.result, second]).then(
        ([first, r]) => r !== first && this.tell(s, r),
        () => undefined,
      );
  }

  /** The final result of a closed utterance: the speculation's when it covered exactly this audio. */
  async finalFor(u: Utterance): Promise<{ result: WhisperResult; speculative: boolean }> {
    const s = this.speculation;
    // The next utterance may be open already (a forced cut continues at once): its passes stay.
    if (u.id === this.utteranceId) this.reset();
    let final: { result: WhisperResult; speculative: boolean };
    const vocabulary = this.opts.vocabulary?.();
    if (s && s.utteranceId === u.id && s.endSample === u.endSample && s.options.vocabulary === vocabulary) {
      final = { result: await (s.second ?? this.secondLook(await s.result, s.audio, s.options)), speculative: true };
    } else {
      const previous = this.contextFor(u.startSample);
      const options = { speech: this.evidenceOf(u.id), previous, vocabulary, final: this.opts.secondLook, cutOff: cutOffInSpeech(u) };
      final = { result: await this.whisper.transcribe(u.samples, this.language, options), speculative: false };
    }
    if (final.result.text) this.said = { tokens: this.withoutClosingMark(final.result.tokens), endSample: u.lastVoicedSample };
    return final;
  }

  /**
   * The final of a closed utterance whose speculative pass `first` read `audio`: `first` itself, or where the model's
   * final window (secondLook) is longer than its fast one for this audio, a second pass on it. Base reads short
   * utterances better with more padding (dev set: 146 -> 122 errors of 1808); the speculative pass stays the fast
   * one, for provisional text. It runs here when the utterance closed before its look in the hangover (lookAgain)
   * began. It never loses what the first heard: where it fails, or drops as no speech what the first pass kept, the
   * first pass's result is the final (keptOf).
   */
  private async secondLook(first: WhisperResult, audio: Float32Array, options: TranscribeOptions): Promise<WhisperResult> {
    if (!this.needsSecondLook(audio)) return first;
    try {
      return keptOf(first, await this.whisper.transcribe(audio, this.language, { ...options, final: true }));
    } catch {
      return first;
    }
  }

  /** Whether a final of `audio` reads it again: the model's final window is longer than its fast one for it. */
  private needsSecondLook(audio: Float32Array): boolean {
    const window = this.whisper.window;
    return !!this.opts.secondLook && windowFrames(audio.length, finalWindow(window)) !== windowFrames(audio.length, window);
  }

  /**
   * The tokens without their closing full stop, question or exclamation mark (and timestamps after it): at a pause
   * Whisper ends every fragment with one, and given as context it tells the decoder a new sentence starts.
   */
  private withoutClosingMark(tokens: readonly number[]): number[] {
    const tok = this.whisper.tokenizer;
    let end = tokens.length;
    while (end > 0 && tok.isSpecial(tokens[end - 1])) end--;
    while (end > 0 && /^\s*[.!?]+\s*$/.test(tok.pieceText(tokens[end - 1]) ?? 'x')) end--;
    return tokens.slice(0, end);
  }

  /** The text said just before an utterance starting at `startSample`, when it continues it (continuity). */
  private contextFor(startSample: number): readonly number[] | undefined {
    if (!this.opts.continuity || !this.said) return undefined;
    const pause = startSample - this.said.endSample;
    return pause >= 0 && pause <= msToSamples(CONTINUITY_MAX_PAUSE_MS) ? this.said.tokens : undefined;
  }

  /**
   * Follows the segmenter's utterances: each one's passes and VAD evidence start when it opens and the evidence is
   * kept for its final when it closes. Returns the unsubscribe.
   */
  follow(seg: UtteranceSegmenter): () => void {
    return seg.on({
      speechStart: (id) => {
        this.reset();
        this.utteranceId = id;
        this.heard = id;
        this.meter.reset();
      },
      closed: (id, u) => {
        if (u) this.closedEvidence.set(id, this.meter.evidence);
        this.heard = -1;
        this.meter.reset();
      },
    });
  }

  /** The evidence of utterance `id` (closed, or still the one heard when the stream was flushed); taken once. */
  private evidenceOf(id: number): SpeechEvidence | undefined {
    const closed = this.closedEvidence.get(id);
    for (const k of this.closedEvidence.keys()) if (k <= id) this.closedEvidence.delete(k);
    if (closed) return closed;
    return id === this.heard ? this.meter.evidence : undefined;
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
    const committed = tok.decode(this.committed);
    // After the committed text: this pass's words from where it stops agreeing with it.
    const tentative = startsWith(tokens, this.committed)
      ? tok.decode(tokens.slice(this.committed.length))
      : tentativeAfter(committed, r.text);
    this.onPartial({ utteranceId: id, committed, tentative });
  }
}

/**
 * This pass's words after the committed text. Where the pass begins with the committed words (case and punctuation
 * aside), what follows them; where it reads the start differently ("Ask" for "ask,"), the words past as many as are
 * committed: never the committed words a second time ("ask what you can do for you, ask what you can do for you").
 */
export function tentativeAfter(committed: string, pass: string): string {
  const done = plainWords(committed).length;
  if (done === 0) return pass;
  let seen = 0;
  // Cut the pass after its done-th word (a word: a run of letters or digits, as plainWords counts them).
  const word = /[\p{L}\p{N}'\u2019]+/gu;
  for (let m = word.exec(pass); m; m = word.exec(pass)) {
    if (plainWords(m[0]).length === 0) continue;
    if (++seen === done)
      return pass
        .slice(m.index + m[0].length)
        .replace(/^[^\p{L}\p{N}]*\s/u, '')
        .trimStart();
  }
  return '';
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
