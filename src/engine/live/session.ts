import * as fs from 'fs';
import * as path from 'path';
import { encodeWav16 } from '../audio/wav';
import {
  AudioSourceSpec,
  DEFAULT_CAPTURE_BACKEND,
  EngineErrorCode,
  FinalNotification,
  LevelNotification,
  PartialNotification,
  ProvisionalNotification,
  SessionEndNotification,
} from '../../protocol';
import { SpeculativeTranscriber, StreamingOptions } from './streaming';
import { EngineError } from '../errors';
import { EngineMetrics } from '../metrics';
import { RingBuffer } from './ring';
import { Utterance, UtteranceSegmenter, SegmenterOptions } from './segmenter';
import { CaptureHost } from './capture/captureHost';
import { CaptureEvent, CaptureJob } from './capture/source';
import { frameRms, SileroVad, VAD_FRAME } from './vad';
import { WhisperResult } from '../whisper/whisper';
import { SpeechModel } from '../whisper/whisperThread';

/**
 * The main loop drains the ring whenever the capture worker writes to it, at least every POLL_MS. While nothing is
 * said (no open utterance, no transcription pending) it wakes only for a block louder than the energy gate, or every
 * IDLE_POLL_MS to take the silent frames (the level meter moves once a second in silence under the gate; anything
 * louder wakes the loop at once). 1000 ms, not 250: the main thread's wakes in silence 5.5 -> 2.7 a second, the
 * engine's idle CPU ~0.1 % of a core less (docs/decisions.md, "Idle wake").
 */
const POLL_MS = 20;
const IDLE_POLL_MS = 1000;
/**
 * A file played into the ring is handed over in chunks of this length: the 512 samples (32 ms) the microphone
 * backends are asked for. Each chunk wakes the capture thread, ~0.2 ms of CPU here; 20 ms chunks cost ~0.3% of a
 * core more while listening to silence.
 */
const FILE_CHUNK_MS = (VAD_FRAME / 16000) * 1000;

/**
 * Idle blocks: once nothing has been voiced for IDLE_BLOCK_AFTER_SAMPLES (and no utterance is open or being
 * transcribed), the capture worker is asked for IDLE_BLOCK_FRAMES frames per block and the VAD scores a block's
 * frames in one call (the sequence model, when loaded). In a quiet room (noise over the energy gate, so every frame
 * goes to Silero) that is a quarter of the wakes and model calls on both threads. The cost: the first frame of speech
 * after such a pause reaches the VAD up to (IDLE_BLOCK_FRAMES - 1) frames later (96 ms); nothing is lost, the end of
 * speech is not delayed, and pauses shorter than this, as between dictated sentences, never change (docs/decisions.md,
 * "Idle CPU").
 */
const IDLE_BLOCK_AFTER_SAMPLES = 5 * 16000;
const IDLE_BLOCK_FRAMES = 4;

/** Level notifications are sent at most this often (a meter needs no more). */
const LEVEL_INTERVAL_MS = 100;
/** How long a stopping capture worker may take to release its device before it is terminated. */
const STOP_GRACE_MS = 1500;

export interface ListenEvents {
  state(state: 'listening' | 'speech' | 'transcribing', device?: string): void;
  final(n: FinalNotification): void;
  provisional(n: ProvisionalNotification): void;
  partial(n: PartialNotification): void;
  level(n: LevelNotification): void;
  error(err: EngineError): void;
}

/**
 * The live path, top to bottom: capture worker -> ring -> VAD -> segmenter -> utterance queue -> Whisper -> final.
 */
export class ListenSession {
  private readonly ring: RingBuffer;
  private readonly frame = new Float32Array(VAD_FRAME);
  private frameFill = 0;
  /** An idle block's frames, read before the VAD scores them together, and when each was captured. */
  private readonly block = new Float32Array(IDLE_BLOCK_FRAMES * VAD_FRAME);
  private readonly blockCapturedAt = new Float64Array(IDLE_BLOCK_FRAMES);
  private readonly segmenter: UtteranceSegmenter;
  private draining = false;
  private transcribing = 0;
  private sourceEnded = false;
  private stopped = false;
  private failed = false;
  private ended = false;
  private pending: Promise<void> = Promise.resolve();
  private utterances = 0;
  private vadMsSinceOpen = 0;
  private lastLevelAt = 0;
  /** Capture time (epoch ms) of the end of the frame being segmented, and of the last voiced one. */
  private frameCapturedAt = 0;
  private lastVoicedAt = 0;
  /** Capture time (epoch ms) of the open utterance's first voiced frame, and whether it has had a partial. */
  private speechStartedAt = 0;
  private partialSent = false;
  /** The open utterance's latest provisional text: the final says when it kept it (provisionalMs). */
  private provisional?: { utteranceId: number; endSample: number; text: string; endOfSpeechToTextMs: number };
  private readonly streamer: SpeculativeTranscriber;
  private device?: string;
  private started?: { resolve: (device: string) => void; reject: (e: EngineError) => void };
  private resolveEnd!: (n: SessionEndNotification) => void;
  readonly done = new Promise<SessionEndNotification>((r) => (this.resolveEnd = r));
  private resolveRingRead!: () => void;
  /**
   * Resolves once capture has ended and every captured frame has been through the VAD: the device and the ring are
   * free for the next session, while this one's last utterances are still being transcribed (`done` waits for them).
   */
  readonly ringRead = new Promise<void>((r) => (this.resolveRingRead = r));

  /** True once stop was asked for or the source ended: no new audio comes in. */
  get closing(): boolean {
    return this.stopped || this.sourceEnded;
  }

  constructor(
    readonly id: number,
    whisper: SpeechModel,
    private readonly vad: SileroVad,
    language: string,
    segmenterOptions: SegmenterOptions,
    private readonly metrics: EngineMetrics,
    private readonly capture: CaptureHost,
    private readonly events: ListenEvents,
    private readonly streaming: StreamingOptions,
  ) {
    this.ring = capture.ring;
    this.segmenter = new UtteranceSegmenter(segmenterOptions);
    this.segmenter.on({
      speechStart: () => {
        this.speechStartedAt = this.frameCapturedAt - (VAD_FRAME / 16000) * 1000;
        this.partialSent = false;
        this.events.state('speech');
      },
      voiced: () => (this.lastVoicedAt = this.frameCapturedAt),
      closed: (id, u) => (u ? this.enqueue(u) : this.withdraw(id)),
    });
    this.streamer = new SpeculativeTranscriber(
      whisper,
      language,
      streaming,
      (p) => {
        if (p.utteranceId !== this.segmenter.openUtteranceId || !this.segmenter.speaking) return;
        const since = performance.timeOrigin + performance.now() - this.speechStartedAt;
        if (!this.partialSent && (p.committed || p.tentative)) {
          this.partialSent = true;
          this.metrics.record('firstPartialMs', since);
        }
        this.events.partial({
          sessionId: this.id,
          utteranceId: p.utteranceId,
          text: p.committed,
          tentative: p.tentative,
          sinceSpeechStartMs: since,
        });
      },
      (id, endSample, r, endsSentence) => this.speculated(id, endSample, r, endsSentence),
    );
    this.streamer.follow(this.segmenter);
  }

  /** Starts capture; resolves with the device's name once it is open, rejects if it cannot be opened. */
  start(source: AudioSourceSpec, fileSamples?: Float32Array): Promise<string> {
    const session = this.id;
    const job: CaptureJob =
      source.kind === 'file'
        ? { kind: 'file', session, ring: this.ring.shared, samples: fileSamples!, realtime: source.realtime, chunkMs: FILE_CHUNK_MS }
        : {
            kind: 'microphone',
            session,
            ring: this.ring.shared,
            device: source.device ?? -1,
            backend: source.backend ?? DEFAULT_CAPTURE_BACKEND,
            frameLength: VAD_FRAME,
          };
    const opened = new Promise<string>((resolve, reject) => (this.started = { resolve, reject }));
    this.ring.reset();
    this.capture.start(job, (e) => this.onCapture(e));
    void this.loop();
    return opened;
  }

  /** Stops capture and releases the device; what was heard is still transcribed before the session ends. */
  async stop(): Promise<SessionEndNotification> {
    this.stopped = true;
    this.capture.stop(this.id);
    // The worker answers with `eof` once the device is closed; past the grace period, end anyway.
    setTimeout(() => this.onCapture({ type: 'eof', session: this.id, samples: 0 }), STOP_GRACE_MS).unref();
    return this.done;
  }

  private onCapture(e: Exclude<CaptureEvent, { type: 'devices' }>): void {
    if (this.sourceEnded) return;
    if (e.type === 'started') {
      this.device = e.device;
      this.started?.resolve(e.device);
      this.started = undefined;
      this.events.state('listening', e.device);
    } else if (e.type === 'eof') {
      this.sourceEnded = true;
      this.capture.release(this.id);
      void this.drain();
    } else {
      this.fail(new EngineError(e.code as EngineErrorCode, e.message));
    }
  }

  private fail(err: EngineError): void {
    this.failed = true;
    this.events.error(err);
    this.started?.reject(err);
    this.started = undefined;
    this.sourceEnded = true;
    this.capture.release(this.id);
    void this.drain();
  }

  private async loop(): Promise<void> {
    while (!this.ended) {
      const idle = !this.segmenter.speaking && this.transcribing === 0;
      await this.ring.waitForData(idle, idle ? IDLE_POLL_MS : POLL_MS);
      await this.drain();
    }
  }

  private async drain(): Promise<void> {
    if (this.draining || this.ended) return;
    this.draining = true;
    try {
      const ended = this.sourceEnded;
      while (this.ring.available() > 0) {
        const idle = this.longIdle();
        this.ring.blockFrames = idle ? IDLE_BLOCK_FRAMES : 1;
        if (idle && this.vad.sequence && this.frameFill === 0 && this.ring.available() >= 2 * VAD_FRAME) {
          await this.scoreBlock();
          continue;
        }
        this.frameFill += this.ring.read(this.frame, this.frameFill, VAD_FRAME - this.frameFill);
        if (this.frameFill < VAD_FRAME) break;
        this.frameFill = 0;
        const capturedAt = this.ring.readPositionCapturedAt(16000);
        const t = performance.now();
        const rms = frameRms(this.frame); // once a frame: the VAD's gate, the level meter and the segmenter use it
        const p = await this.vad.probability(this.frame, rms);
        this.segment(this.frame, rms, p, capturedAt, t, performance.now() - t);
      }
      if (ended) {
        this.segmenter.flush();
        this.finish();
      }
    } catch (err) {
      this.events.error(err instanceof EngineError ? err : new EngineError(EngineErrorCode.Internal, String(err)));
    } finally {
      this.draining = false;
    }
  }

  /** Nothing voiced for a while, no utterance open or in transcription: see IDLE_BLOCK_AFTER_SAMPLES. */
  private longIdle(): boolean {
    const seg = this.segmenter;
    return !seg.speaking && this.transcribing === 0 && seg.streamPosition - seg.lastVoicedSample >= IDLE_BLOCK_AFTER_SAMPLES;
  }

  /** The whole frames waiting in the ring (up to IDLE_BLOCK_FRAMES), scored by the VAD in one call, then segmented. */
  private async scoreBlock(): Promise<void> {
    const n = Math.min(IDLE_BLOCK_FRAMES, Math.floor(this.ring.available() / VAD_FRAME));
    for (let f = 0; f < n; f++) {
      this.ring.read(this.block, f * VAD_FRAME, VAD_FRAME);
      this.blockCapturedAt[f] = this.ring.readPositionCapturedAt(16000);
    }
    const t = performance.now();
    const p = await this.vad.probabilities(this.block.subarray(0, n * VAD_FRAME));
    const vadMs = (performance.now() - t) / n;
    for (let f = 0; f < n; f++) {
      const frame = this.block.subarray(f * VAD_FRAME, (f + 1) * VAD_FRAME);
      this.segment(frame, frameRms(frame), p[f], this.blockCapturedAt[f], t, vadMs);
    }
  }

  /** One scored frame: the capture and VAD figures, the level meter, the segmenter and the streaming passes. */
  private segment(frame: Float32Array, rms: number, p: number, capturedAt: number, t: number, vadMs: number): void {
    // How long a frame the VAD hears waited between capture and the VAD: the capture stage as the user feels it.
    // Silence under the energy gate waits for the next wake in an idle session (at most IDLE_POLL_MS): any
    // louder block wakes the loop at once (docs/decisions.md, "Idle wake"), so speech onset waits only for its block
    // to be complete: one frame, or IDLE_BLOCK_FRAMES after a long pause.
    if (this.vad.hears(rms) || this.segmenter.speaking) this.metrics.record('captureMs', performance.timeOrigin + t - capturedAt);
    this.metrics.record('vadMs', vadMs);
    if (t - this.lastLevelAt >= LEVEL_INTERVAL_MS) {
      this.lastLevelAt = t;
      this.events.level({ sessionId: this.id, rms, speechProbability: p, speaking: this.segmenter.speaking });
    }
    // The segmenter's events (speech start, voiced, closed) drive the rest: see the constructor.
    this.frameCapturedAt = capturedAt;
    this.segmenter.push(frame, p, rms);
    if (this.segmenter.speaking) this.vadMsSinceOpen += vadMs;
    this.streamer.tick(this.segmenter, p);
  }

  /**
   * The speculative pass of utterance `id` up to `endSample` (or its second look) is done, and speech has not come back
   * since it began (the transcriber tells only then): unless the utterance has closed meanwhile, its text goes out as
   * `provisional`, and when it ended a sentence (earlyClose) the utterance closes now instead of after the hangover;
   * the final is then that pass's result.
   */
  private speculated(id: number, endSample: number, r: WhisperResult, endsSentence: boolean): void {
    const seg = this.segmenter;
    if (this.ended || !seg.speaking || seg.openUtteranceId !== id) return;
    if (this.streaming.provisional && !r.rejected && r.text.trim() !== '') {
      const endOfSpeechToTextMs = performance.timeOrigin + performance.now() - this.lastVoicedAt;
      this.provisional = { utteranceId: id, endSample, text: r.text, endOfSpeechToTextMs };
      this.events.provisional({
        sessionId: this.id,
        utteranceId: id,
        text: r.text,
        endOfSpeechToTextMs,
        speechEndedAt: Date.now() - endOfSpeechToTextMs,
      });
    }
    if (endsSentence && seg.closeNow()) {
      this.metrics.record('earlyCloseSilenceMs', ((seg.streamPosition - seg.lastVoicedSample) / 16000) * 1000);
    }
  }

  /**
   * Utterance `id` closed as no speech after all (too little voiced audio, or a held tone, once its end was in): text
   * sent as provisional for it is taken back with an empty, rejected final.
   */
  private withdraw(id: number): void {
    const p = this.provisional;
    if (p?.utteranceId !== id) return;
    this.provisional = undefined;
    const endOfSpeechToTextMs = performance.timeOrigin + performance.now() - this.lastVoicedAt;
    this.pending = this.pending.then(() =>
      this.events.final({
        sessionId: this.id,
        utteranceId: id,
        text: '',
        startMs: 0,
        endMs: (p.endSample / 16000) * 1000,
        processingMs: 0,
        endOfSpeechToTextMs,
        speechEndedAt: Date.now() - endOfSpeechToTextMs,
        timings: { melMs: 0, encoderMs: 0, decoderMs: 0, tokens: 0, totalMs: 0, processingMs: 0, vadMs: 0, queueMs: 0, speculative: 0 },
        rejected: 'not speech once the utterance ended (a held tone, or too little voiced audio)',
      }),
    );
  }

  private enqueue(u: Utterance): void {
    const vadMs = this.vadMsSinceOpen;
    const lastVoicedAt = this.lastVoicedAt;
    this.vadMsSinceOpen = 0;
    this.events.state('transcribing');
    this.transcribing++;
    this.pending = this.pending.then(() => this.transcribe(u, vadMs, lastVoicedAt)).finally(() => this.transcribing--);
  }

  private async transcribe(u: Utterance, vadMs: number, lastVoicedAt: number): Promise<void> {
    const started = performance.now();
    // Diagnostics: what the engine heard, one WAV per utterance.
    if (process.env.VOICEFLOW_DUMP_UTTERANCES) {
      fs.writeFileSync(path.join(process.env.VOICEFLOW_DUMP_UTTERANCES, `s${this.id}-u${u.id}.wav`), encodeWav16(u.samples, 16000));
    }
    try {
      const { result: r, speculative } = await this.streamer.finalFor(u);
      const now = performance.now();
      this.utterances++;
      this.metrics.utterances++;
      const timings = {
        ...r.timings,
        processingMs: now - u.closedAt,
        vadMs,
        queueMs: started - u.closedAt,
        speculative: speculative ? 1 : 0,
      };
      this.metrics.recordAll(timings);
      const endOfSpeechToTextMs = performance.timeOrigin + now - lastVoicedAt;
      const p = this.provisional?.utteranceId === u.id ? this.provisional : undefined;
      if (p) this.provisional = undefined;
      const provisionalMs = p && speculative && p.endSample === u.endSample && p.text === r.text ? p.endOfSpeechToTextMs : undefined;
      this.metrics.record('feltMs', provisionalMs ?? endOfSpeechToTextMs);
      this.events.final({
        sessionId: this.id,
        utteranceId: u.id,
        text: r.text,
        startMs: (u.startSample / 16000) * 1000,
        endMs: (u.endSample / 16000) * 1000,
        processingMs: timings.processingMs,
        endOfSpeechToTextMs,
        // From Date.now(), not performance.timeOrigin: the monotonic clock drifts from the wall clock over days.
        speechEndedAt: Date.now() - endOfSpeechToTextMs,
        timings,
        rejected: r.rejected,
        ...(provisionalMs !== undefined ? { provisionalMs } : {}),
      });
    } catch (err) {
      this.events.error(err instanceof EngineError ? err : new EngineError(EngineErrorCode.InferenceFailed, String(err)));
    }
    if (!this.sourceEnded) this.events.state(this.segmenter.speaking ? 'speech' : 'listening', this.device);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    const overruns = this.ring.overruns;
    this.metrics.ringOverruns += overruns;
    this.resolveRingRead();
    void this.pending.then(() => {
      this.resolveEnd({
        sessionId: this.id,
        reason: this.failed ? 'error' : this.stopped ? 'stopped' : 'eof',
        utterances: this.utterances,
        overruns,
      });
    });
  }
}
