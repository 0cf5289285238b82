/**
 * Turns a stream of 512-sample frames and their speech probabilities into utterances:
 * hysteresis (open at `threshold`, close below `threshold - HYSTERESIS`), pre-roll kept from before speech,
 * a hangover of silence before closing, and a forced cut at the quietest point before the maximum length.
 * Pure state machine; its buffers are allocated once.
 */
import { ENGINE_SETTINGS } from '../../settings';

export const SAMPLE_RATE = 16000;
/** The defaults of the options below, from the settings table (src/settings.ts). */
export const PRE_ROLL_MS = ENGINE_SETTINGS.preRollMs.default;
export const HANGOVER_MS = ENGINE_SETTINGS.hangoverMs.default;
/** Longest utterance before a forced cut: past ~26 s tiny drops the last sentence (docs/decisions.md). */
export const MAX_UTTERANCE_MS = ENGINE_SETTINGS.maxUtteranceMs.default;
/** Speech shorter than this in voiced frames is a click or a cough, not an utterance. */
export const MIN_SPEECH_MS = 150;
/** Silence kept after the last voiced frame, so Whisper hears the word end. */
export const POST_ROLL_MS = ENGINE_SETTINGS.postRollMs.default;
/**
 * A forced cut (speech longer than maxUtteranceMs) is made at the quietest stretch of the last CUT_SEARCH_MS (at most
 * the utterance's second half), most likely a pause between words, not at the limit in mid-word; what follows the cut
 * opens the next utterance.
 */
export const CUT_SEARCH_MS = 3000;
/** The stretch whose energy is compared, ms, and the step between candidate stretches. */
const CUT_WINDOW_MS = 100;
const CUT_STEP_MS = 10;
/**
 * An utterance whose level barely moves from frame to frame (mean change under this, dB) is a held tone or chord,
 * not speech: syllables make speech's level rise and fall by 3-5 dB a frame on average, even band-limited or quiet.
 * Silero takes music for speech.
 */
export const STEADY_MAX_DB = 1;
/** Frames more than this below the utterance's loudest do not count in the level change (silence around speech). */
const STEADY_RANGE_DB = 30;
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
  postRollMs?: number;
  maxUtteranceMs?: number;
  /** Let frames well clear of the noise floor count as speech at lower probabilities (default true). */
  energyAssist?: boolean;
  /** Drop utterances whose level is steady, held tones and chords (STEADY_MAX_DB; default true). */
  rejectSteady?: boolean;
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
  reason: 'silence' | 'sentence-end' | 'max-length' | 'end-of-stream';
  /** performance.now() when the segmenter closed it. */
  closedAt: number;
}

/** An utterance whose last voiced frame is this close to its end when the stream ends was cut off in speech: two frames. */
const CUT_OFF_SAMPLES = 2 * 512;

/** The end of a stream cut an utterance off in speech: its last voiced frame is among its last two. */
export function cutOffInSpeech(u: Utterance): boolean {
  return u.reason === 'end-of-stream' && u.endSample - u.lastVoicedSample <= CUT_OFF_SAMPLES;
}

/**
 * What the segmenter tells its listeners as frames go in (ricky0123/vad's FrameProcessor style): the session,
 * the streaming passes and the metering subscribe instead of reading getters after each frame. Within one `push`,
 * `closed` comes before the `speechStart` of the utterance that continues a forced cut.
 */
export interface SegmenterListener {
  /** An utterance opened: speech began, or the rest of a cut utterance goes on as the next. */
  speechStart?(utteranceId: number): void;
  /** A frame of the open utterance counted as speech; `endSample` is its end in the stream. */
  voiced?(endSample: number): void;
  /** The open utterance ended: `utterance` when it is kept, undefined when it was a blip or a held tone. */
  closed?(utteranceId: number, utterance: Utterance | undefined): void;
}

export class UtteranceSegmenter {
  readonly threshold: number;
  private readonly listeners: SegmenterListener[] = [];
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
  private readonly rejectSteady: boolean;

  constructor(opts: SegmenterOptions = {}) {
    this.threshold = opts.threshold ?? 0.5;
    this.negThreshold = Math.max(0.01, this.threshold - HYSTERESIS);
    this.hangoverSamples = msToSamples(opts.hangoverMs ?? HANGOVER_MS);
    this.preRollSamples = msToSamples(opts.preRollMs ?? PRE_ROLL_MS);
    this.maxSamples = msToSamples(opts.maxUtteranceMs ?? MAX_UTTERANCE_MS);
    this.minSpeechSamples = msToSamples(MIN_SPEECH_MS);
    this.energyAssist = opts.energyAssist ?? true;
    this.rejectSteady = opts.rejectSteady ?? true;
    this.postRollSamples = msToSamples(opts.postRollMs ?? POST_ROLL_MS);
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

  /**
   * Whether the open utterance, closed with `samples` (a snapshot), would be kept: not a blip, not a held tone. What
   * the speculative pass's text must pass before it goes out as provisional text.
   */
  wouldKeep(samples: Float32Array): boolean {
    return this.inSpeech && this.keeps(samples, 'silence', this.voicedSamples);
  }

  /** End of the last voiced frame, in stream samples. */
  get lastVoicedSample(): number {
    return this.lastVoicedEnd;
  }

  /** Samples consumed so far. */
  get streamPosition(): number {
    return this.position;
  }

  /** Subscribes to the segmenter's events; returns the unsubscribe. */
  on(listener: SegmenterListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Feeds one frame with its speech probability (and its RMS, when the caller has it: the energy is computed once a
   * frame); returns the utterance it closed, if any (also told to listeners).
   */
  push(frame: Float32Array, probability: number, rms?: number): Utterance | undefined {
    const frameStart = this.position;
    this.position += frame.length;
    const clear = this.clearOfNoise(frame, probability, rms);
    if (!this.inSpeech) {
      if (probability >= this.threshold || this.assistRun >= ASSIST_FRAMES) {
        this.open(frameStart);
        this.append(frame);
        this.voice(frame.length);
        return undefined;
      }
      this.keepPreRoll(frame);
      return undefined;
    }
    this.append(frame);
    if (probability >= this.negThreshold || clear) this.voice(frame.length);
    if (this.position - this.lastVoicedEnd >= this.hangoverSamples) return this.close('silence');
    if (this.length >= this.maxSamples) return this.cut();
    return undefined;
  }

  private voice(samples: number): void {
    this.voicedSamples += samples;
    this.lastVoicedEnd = this.position;
    for (const l of this.listeners) l.voiced?.(this.position);
  }

  private tellClosed(id: number, u: Utterance | undefined): void {
    for (const l of this.listeners) l.closed?.(id, u);
  }

  /**
   * Speech goes on past the limit: closes the utterance at the quietest point of its last CUT_SEARCH_MS and keeps the
   * rest open as the next utterance, with no gap and no overlap.
   */
  private cut(): Utterance | undefined {
    const search = Math.min(msToSamples(CUT_SEARCH_MS), Math.floor(this.maxSamples / 2));
    const at = quietestPoint(this.buffer, this.length, search, msToSamples(CUT_WINDOW_MS), msToSamples(CUT_STEP_MS));
    const id = this.nextId;
    const u = this.utterance(this.buffer.slice(0, at), 'max-length', this.voicedSamples);
    this.buffer.copyWithin(0, at, this.length);
    this.length -= at;
    this.startSample += at;
    this.voicedSamples = Math.max(0, Math.min(this.length, this.lastVoicedEnd - this.startSample));
    this.tellClosed(id, u);
    for (const l of this.listeners) l.speechStart?.(this.nextId);
    return u;
  }

  /** Tracks the noise floor; true when the frame is likely speech and well above it (counted in `assistRun`). */
  private clearOfNoise(frame: Float32Array, probability: number, rms?: number): boolean {
    if (!this.energyAssist) return false;
    let meanSquare = rms === undefined ? NaN : rms * rms;
    if (rms === undefined) {
      let acc = 0;
      for (let i = 0; i < frame.length; i++) acc += frame[i] * frame[i];
      meanSquare = acc / frame.length;
    }
    const db = 10 * Math.log10(meanSquare + 1e-12);
    const level = Math.max(db, FLOOR_MIN_DB);
    this.floorDb = Number.isNaN(this.floorDb) || level < this.floorDb ? level : this.floorDb + FLOOR_RISE_DB;
    const clear = probability >= ASSIST_PROBABILITY && db >= this.floorDb + ASSIST_MARGIN_DB;
    this.assistRun = clear ? this.assistRun + 1 : 0;
    return clear;
  }

  /**
   * Closes the open utterance now, as a pause would after the whole hangover: it keeps the post-roll after the last
   * voiced frame. Only once the pause is at least the post-roll long; otherwise nothing happens. The audio after
   * the kept part stays as the next utterance's pre-roll, so speech that goes on is not lost.
   */
  closeNow(): Utterance | undefined {
    if (!this.inSpeech || this.position - this.lastVoicedEnd < this.postRollSamples) return undefined;
    return this.close('sentence-end');
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
    for (const l of this.listeners) l.speechStart?.(this.nextId);
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

  private close(reason: 'silence' | 'sentence-end' | 'end-of-stream'): Utterance | undefined {
    this.inSpeech = false;
    const keepUntil = Math.min(this.position, this.lastVoicedEnd + this.postRollSamples);
    const length = keepUntil - this.startSample;
    const samples = this.buffer.slice(0, length);
    // The tail after the kept part becomes pre-roll for the next utterance.
    this.preRollFill = 0;
    const tail = this.buffer.subarray(Math.max(length, this.length - this.preRollSamples), this.length);
    this.keepPreRoll(tail);
    this.length = 0;
    const id = this.nextId;
    const u = this.utterance(samples, reason, this.voicedSamples);
    this.tellClosed(id, u);
    return u;
  }

  /** Whether `samples` with `voiced` samples of speech make an utterance: not a blip (unless cut), not a held tone. */
  private keeps(samples: Float32Array, reason: Utterance['reason'], voiced: number): boolean {
    if (voiced < this.minSpeechSamples && reason !== 'max-length') return false;
    return !(this.rejectSteady && levelChangeDb(samples) < STEADY_MAX_DB);
  }

  /** The utterance made of `samples` (from the open one's start), unless it was a blip or a held tone. */
  private utterance(samples: Float32Array, reason: Utterance['reason'], voiced: number): Utterance | undefined {
    if (!this.keeps(samples, reason, voiced)) return undefined;
    return {
      id: this.nextId++,
      samples,
      startSample: this.startSample,
      endSample: this.startSample + samples.length,
      lastVoicedSample: Math.min(this.lastVoicedEnd, this.startSample + samples.length),
      reason,
      closedAt: performance.now(),
    };
  }
}

/**
 * Where to cut `buffer[0, length)`: the middle of its quietest `window`-sample stretch (stretches `step` apart) among
 * the last `search` samples; the latest of equally quiet ones.
 */
export function quietestPoint(buffer: Float32Array, length: number, search: number, window: number, step: number): number {
  const from = Math.max(0, length - search);
  const blocks = Math.floor((length - from) / step);
  const start = length - blocks * step;
  const energy = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let acc = 0;
    for (let i = start + b * step, end = i + step; i < end; i++) acc += buffer[i] * buffer[i];
    energy[b] = acc;
  }
  const span = Math.max(1, Math.min(blocks, Math.round(window / step)));
  let run = 0;
  for (let b = 0; b < span; b++) run += energy[b];
  let best = run;
  let bestAt = 0;
  for (let b = span; b < blocks; b++) {
    run += energy[b] - energy[b - span];
    if (run <= best) {
      best = run;
      bestAt = b - span + 1;
    }
  }
  const at = start + (bestAt + Math.floor(span / 2)) * step;
  return Math.max(1, Math.min(length - 1, at));
}

/**
 * Mean change of level between consecutive frames, dB; frames more than STEADY_RANGE_DB below the loudest count
 * as that level. Speech: 2.5-7 dB; a held chord: ~0.5.
 */
export function levelChangeDb(samples: Float32Array, frame = 512): number {
  const frames = Math.floor(samples.length / frame);
  if (frames < 2) return Infinity;
  const db = new Float64Array(frames);
  let loudest = -Infinity;
  for (let f = 0; f < frames; f++) {
    let acc = 0;
    for (let i = f * frame, end = i + frame; i < end; i++) acc += samples[i] * samples[i];
    db[f] = 10 * Math.log10(acc / frame + 1e-12);
    loudest = Math.max(loudest, db[f]);
  }
  let change = 0;
  for (let f = 1; f < frames; f++)
    change += Math.abs(Math.max(db[f], loudest - STEADY_RANGE_DB) - Math.max(db[f - 1], loudest - STEADY_RANGE_DB));
  return change / (frames - 1);
}

function msToSamples(ms: number): number {
  return Math.round((ms * SAMPLE_RATE) / 1000);
}
