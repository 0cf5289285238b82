/**
 * Turns a stream of 512-sample frames and their speech probabilities into utterances:
 * hysteresis (open at `threshold`, close below `threshold - HYSTERESIS`), pre-roll kept from before speech,
 * a hangover of silence before closing, and a forced cut at the maximum length.
 * Pure state machine; its buffers are allocated once.
 */
export const SAMPLE_RATE = 16000;
export const PRE_ROLL_MS = 300;
export const HANGOVER_MS = 600;
export const MAX_UTTERANCE_MS = 28000;
/** Speech shorter than this in voiced frames is a click or a cough, not an utterance. */
export const MIN_SPEECH_MS = 150;
/** Silence kept after the last voiced frame, so Whisper hears the word end. */
export const POST_ROLL_MS = 200;
const HYSTERESIS = 0.15;
/**
 * Quiet or band-limited speech (8 kHz recordings, a distant mic) can keep Silero at 0.2-0.4 for whole sentences.
 * Such frames open an utterance too when they stand well clear of the noise floor for a few frames in a row:
 * background noise, however loud, sits at its own floor and never stands clear of it.
 */
const ASSIST_PROBABILITY = 0.2;
const ASSIST_MARGIN_DB = 20;
const ASSIST_FRAMES = 3;
/** The noise floor follows quieter frames at once and louder ones slowly (dB per frame: ~1.5 dB/s). */
const FLOOR_RISE_DB = 0.05;
/**
 * No floor is taken below this: digital silence (a muted input, gaps between played clips) is not a noise floor,
 * and against it every faint tail would stand "clear" and stretch utterances.
 */
const FLOOR_MIN_DB = -65;

export interface SegmenterOptions {
  threshold?: number;
  hangoverMs?: number;
  preRollMs?: number;
  maxUtteranceMs?: number;
  /** Let frames well clear of the noise floor count as speech at lower probabilities (default true). */
  energyAssist?: boolean;
}

export interface Utterance {
  id: number;
  /** 16 kHz mono audio: pre-roll + speech + up to POST_ROLL_MS of silence. */
  samples: Float32Array;
  /** Position of `samples[0]` in the stream, in samples. */
  startSample: number;
  /** One past the last sample included. */
  endSample: number;
  /** End of the last voiced frame, in stream samples. */
  lastVoicedSample: number;
  /** Why it closed. */
  reason: 'silence' | 'max-length' | 'end-of-stream';
  /** performance.now() when the segmenter closed it. */
  closedAt: number;
}

export class UtteranceSegmenter {
  readonly threshold: number;
  private readonly negThreshold: number;
  private readonly hangoverSamples: number;
  private readonly preRollSamples: number;
  private readonly maxSamples: number;
  private readonly minSpeechSamples: number;
  private readonly postRollSamples: number;

  private readonly preRoll: Float32Array;
  private preRollFill = 0;
  private preRollPos = 0;
  private readonly buffer: Float32Array;
  private length = 0;
  private inSpeech = false;
  private startSample = 0;
  private lastVoicedEnd = 0;
  private voicedSamples = 0;
  private position = 0;
  private nextId = 1;
  private floorDb = NaN;
  private assistRun = 0;
  private readonly energyAssist: boolean;

  constructor(opts: SegmenterOptions = {}) {
    this.threshold = opts.threshold ?? 0.5;
    this.negThreshold = Math.max(0.01, this.threshold - HYSTERESIS);
    this.hangoverSamples = msToSamples(opts.hangoverMs ?? HANGOVER_MS);
    this.preRollSamples = msToSamples(opts.preRollMs ?? PRE_ROLL_MS);
    this.maxSamples = msToSamples(opts.maxUtteranceMs ?? MAX_UTTERANCE_MS);
    this.minSpeechSamples = msToSamples(MIN_SPEECH_MS);
    this.energyAssist = opts.energyAssist ?? true;
    this.postRollSamples = msToSamples(POST_ROLL_MS);
    this.preRoll = new Float32Array(Math.max(1, this.preRollSamples));
    this.buffer = new Float32Array(this.maxSamples + this.preRollSamples + this.hangoverSamples + 4096);
  }

  /** True while an utterance is open. */
  get speaking(): boolean {
    return this.inSpeech;
  }

  /** Where the open utterance starts in the stream (pre-roll included). */
  get utteranceStart(): number {
    return this.startSample;
  }

  /** The id the open utterance will get when it closes. */
  get openUtteranceId(): number {
    return this.nextId;
  }

  /** Silence kept after the last voiced frame when an utterance closes on silence, in samples. */
  get postRoll(): number {
    return this.postRollSamples;
  }

  /** A copy of the open utterance's audio up to `endSample` (stream position), for speculative transcription. */
  snapshot(endSample: number): Float32Array {
    return this.buffer.slice(0, Math.max(0, Math.min(this.length, endSample - this.startSample)));
  }

  /** End of the last voiced frame, in stream samples. */
  get lastVoicedSample(): number {
    return this.lastVoicedEnd;
  }

  /** Samples consumed so far. */
  get streamPosition(): number {
    return this.position;
  }

  /** Feeds one frame with its speech probability; returns the utterance it closed, if any. */
  push(frame: Float32Array, probability: number): Utterance | undefined {
    const frameStart = this.position;
    this.position += frame.length;
    const clear = this.clearOfNoise(frame, probability);
    if (!this.inSpeech) {
      if (probability >= this.threshold || this.assistRun >= ASSIST_FRAMES) {
        this.open(frameStart);
        this.append(frame);
        this.voicedSamples += frame.length;
        this.lastVoicedEnd = this.position;
        return undefined;
      }
      this.keepPreRoll(frame);
      return undefined;
    }
    this.append(frame);
    if (probability >= this.negThreshold || clear) {
      this.voicedSamples += frame.length;
      this.lastVoicedEnd = this.position;
    }
    if (this.position - this.lastVoicedEnd >= this.hangoverSamples) return this.close('silence');
    if (this.length >= this.maxSamples) {
      const cut = this.close('max-length');
      // Speech goes on: the next utterance starts right here, with no gap.
      if (cut) this.open(this.position);
      return cut;
    }
    return undefined;
  }

  /** Tracks the noise floor; true when the frame is likely speech and well above it (counted in `assistRun`). */
  private clearOfNoise(frame: Float32Array, probability: number): boolean {
    if (!this.energyAssist) return false;
    let acc = 0;
    for (let i = 0; i < frame.length; i++) acc += frame[i] * frame[i];
    const db = 10 * Math.log10(acc / frame.length + 1e-12);
    const level = Math.max(db, FLOOR_MIN_DB);
    this.floorDb = Number.isNaN(this.floorDb) || level < this.floorDb ? level : this.floorDb + FLOOR_RISE_DB;
    const clear = probability >= ASSIST_PROBABILITY && db >= this.floorDb + ASSIST_MARGIN_DB;
    this.assistRun = clear ? this.assistRun + 1 : 0;
    return clear;
  }

  /** Closes the open utterance at the end of the stream. */
  flush(): Utterance | undefined {
    return this.inSpeech ? this.close('end-of-stream') : undefined;
  }

  private open(at: number): void {
    this.inSpeech = true;
    this.length = 0;
    this.voicedSamples = 0;
    // Pre-roll, oldest first.
    const n = this.preRollFill;
    for (let i = 0; i < n; i++) {
      this.buffer[i] = this.preRoll[(this.preRollPos - n + i + this.preRoll.length) % this.preRoll.length];
    }
    this.length = n;
    this.startSample = at - n;
    this.preRollFill = 0;
  }

  private append(frame: Float32Array): void {
    const n = Math.min(frame.length, this.buffer.length - this.length);
    this.buffer.set(n === frame.length ? frame : frame.subarray(0, n), this.length);
    this.length += n;
  }

  private keepPreRoll(frame: Float32Array): void {
    if (this.preRollSamples === 0) return;
    for (let i = 0; i < frame.length; i++) {
      this.preRoll[this.preRollPos] = frame[i];
      this.preRollPos = (this.preRollPos + 1) % this.preRoll.length;
    }
    this.preRollFill = Math.min(this.preRoll.length, this.preRollFill + frame.length);
  }

  private close(reason: Utterance['reason']): Utterance | undefined {
    this.inSpeech = false;
    const voiced = this.voicedSamples;
    const keepUntil = reason === 'max-length' ? this.position : Math.min(this.position, this.lastVoicedEnd + this.postRollSamples);
    const length = keepUntil - this.startSample;
    const samples = this.buffer.slice(0, length);
    // The tail after the kept part becomes pre-roll for the next utterance.
    this.preRollFill = 0;
    const tail = this.buffer.subarray(Math.max(length, this.length - this.preRollSamples), this.length);
    this.keepPreRoll(tail);
    this.length = 0;
    if (voiced < this.minSpeechSamples && reason !== 'max-length') return undefined;
    return {
      id: this.nextId++,
      samples,
      startSample: this.startSample,
      endSample: keepUntil,
      lastVoicedSample: this.lastVoicedEnd,
      reason,
      closedAt: performance.now(),
    };
  }
}

function msToSamples(ms: number): number {
  return Math.round((ms * SAMPLE_RATE) / 1000);
}
