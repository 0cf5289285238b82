import * as path from 'path';
import { Worker } from 'worker_threads';
import { AudioSourceSpec, EngineErrorCode, FinalNotification, SessionEndNotification } from '../protocol';
import { EngineError } from './errors';
import { EngineMetrics } from './metrics';
import { RingBuffer } from './ring';
import { Utterance, UtteranceSegmenter, SegmenterOptions } from './segmenter';
import { CaptureEvent, CaptureJob } from './audio/source';
import { SileroVad, VAD_FRAME } from './vad';
import { Whisper } from './whisper/whisper';

/** The ring holds this much audio: inference can fall this far behind capture before anything is lost. */
const RING_SECONDS = 60;
/** How often the main loop drains the ring. Frames are 32 ms, so this adds at most ~20 ms of delay. */
const POLL_MS = 20;
/** A file played into the ring is handed over in chunks of this length (a microphone's buffer). */
const FILE_CHUNK_MS = 20;

export interface ListenEvents {
  state(state: 'listening' | 'speech' | 'transcribing'): void;
  final(n: FinalNotification): void;
  error(err: EngineError): void;
}

/**
 * The live path, top to bottom: capture worker -> ring -> VAD -> segmenter -> utterance queue -> Whisper -> final.
 */
export class ListenSession {
  private readonly ring = new RingBuffer(RING_SECONDS * 16000);
  private readonly frame = new Float32Array(VAD_FRAME);
  private frameFill = 0;
  private readonly segmenter: UtteranceSegmenter;
  private worker?: Worker;
  private timer?: NodeJS.Timeout;
  private draining = false;
  private sourceEnded = false;
  private stopped = false;
  private failed = false;
  private ended = false;
  private pending: Promise<void> = Promise.resolve();
  private utterances = 0;
  private vadMsSinceOpen = 0;
  private resolveEnd!: (n: SessionEndNotification) => void;
  readonly done = new Promise<SessionEndNotification>((r) => (this.resolveEnd = r));

  constructor(
    readonly id: number,
    private readonly whisper: Whisper,
    private readonly vad: SileroVad,
    private readonly language: string,
    segmenterOptions: SegmenterOptions,
    private readonly metrics: EngineMetrics,
    private readonly events: ListenEvents,
  ) {
    this.segmenter = new UtteranceSegmenter(segmenterOptions);
  }

  start(source: AudioSourceSpec, fileSamples?: Float32Array): void {
    let job: CaptureJob;
    if (source.kind === 'file') {
      job = { kind: 'file', ring: this.ring.shared, samples: fileSamples!, realtime: source.realtime, chunkMs: FILE_CHUNK_MS };
    } else {
      job = { kind: 'microphone', ring: this.ring.shared, device: source.device ?? -1, backend: source.backend ?? 'pvrecorder', frameLength: VAD_FRAME };
    }
    this.worker = new Worker(path.join(__dirname, 'captureWorker.js'), { workerData: job });
    this.worker.on('message', (e: CaptureEvent) => this.onCapture(e));
    this.worker.on('error', (err) => this.fail(new EngineError(EngineErrorCode.CaptureFailed, `Capture failed: ${err.message}`)));
    this.worker.on('exit', () => {
      this.sourceEnded = true;
    });
    this.events.state('listening');
    this.timer = setInterval(() => void this.drain(), POLL_MS);
  }

  /** Stops capture; what was heard is still transcribed before the session ends. */
  async stop(): Promise<SessionEndNotification> {
    this.stopped = true;
    this.worker?.postMessage({ type: 'stop' });
    this.sourceEnded = true;
    await this.worker?.terminate();
    void this.drain();
    return this.done;
  }

  private onCapture(e: CaptureEvent): void {
    if (e.type === 'eof') this.sourceEnded = true;
    else if (e.type === 'error') this.fail(new EngineError(e.code as EngineErrorCode, e.message));
  }

  private fail(err: EngineError): void {
    this.failed = true;
    this.events.error(err);
    this.sourceEnded = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining || this.ended) return;
    this.draining = true;
    try {
      const ended = this.sourceEnded;
      while (this.ring.available() > 0) {
        this.frameFill += this.ring.read(this.frame, this.frameFill, VAD_FRAME - this.frameFill);
        if (this.frameFill < VAD_FRAME) break;
        this.frameFill = 0;
        const t = performance.now();
        const p = await this.vad.probability(this.frame);
        const vadMs = performance.now() - t;
        this.metrics.record('vadMs', vadMs);
        const wasSpeaking = this.segmenter.speaking;
        const utterance = this.segmenter.push(this.frame, p);
        if (this.segmenter.speaking) this.vadMsSinceOpen += vadMs;
        if (!wasSpeaking && this.segmenter.speaking) this.events.state('speech');
        if (utterance) this.enqueue(utterance);
      }
      if (ended) {
        const last = this.segmenter.flush();
        if (last) this.enqueue(last);
        this.finish();
      }
    } catch (err) {
      this.events.error(err instanceof EngineError ? err : new EngineError(EngineErrorCode.Internal, String(err)));
    } finally {
      this.draining = false;
    }
  }

  private enqueue(u: Utterance): void {
    const vadMs = this.vadMsSinceOpen;
    this.vadMsSinceOpen = 0;
    this.events.state('transcribing');
    this.pending = this.pending.then(() => this.transcribe(u, vadMs));
  }

  private async transcribe(u: Utterance, vadMs: number): Promise<void> {
    const started = performance.now();
    try {
      const r = await this.whisper.transcribe(u.samples, this.language);
      const now = performance.now();
      this.utterances++;
      this.metrics.utterances++;
      const timings = { ...r.timings, processingMs: now - u.closedAt, vadMs, queueMs: started - u.closedAt };
      this.metrics.recordAll(timings);
      this.events.final({
        sessionId: this.id,
        utteranceId: u.id,
        text: r.text,
        startMs: (u.startSample / 16000) * 1000,
        endMs: (u.endSample / 16000) * 1000,
        processingMs: timings.processingMs,
        timings,
        rejected: r.rejected,
      });
    } catch (err) {
      this.events.error(err instanceof EngineError ? err : new EngineError(EngineErrorCode.InferenceFailed, String(err)));
    }
    if (!this.sourceEnded) this.events.state(this.segmenter.speaking ? 'speech' : 'listening');
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.timer);
    this.metrics.ringOverruns += this.ring.overruns;
    void this.pending.then(() => {
      this.resolveEnd({
        sessionId: this.id,
        reason: this.failed ? 'error' : this.stopped ? 'stopped' : 'eof',
        utterances: this.utterances,
        overruns: this.ring.overruns,
      });
    });
  }
}
