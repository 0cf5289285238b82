import * as path from 'path';
import { Worker } from 'worker_threads';
import { CaptureBackend, EngineErrorCode, InputDevice } from '../../../protocol';
import { EngineError } from '../../errors';
import { RingBuffer } from '../ring';
import { CaptureCommand, CaptureEvent, CaptureJob, CaptureWake } from './source';

type SessionEvent = Exclude<CaptureEvent, { type: 'devices' }>;

/** The ring holds this much audio: inference can fall this far behind capture before anything is lost. */
const RING_SECONDS = 60;

/**
 * The engine's side of the capture worker: one worker thread for the engine's life, started on first use and
 * started again if it dies. Sessions get their own events; device lists are asked of the worker too.
 */
export class CaptureHost {
  /** The one ring between the capture worker and the main loop; sessions take turns (one at a time). */
  readonly ring = new RingBuffer(RING_SECONDS * 16000);
  private worker?: Worker;
  private readonly sessions = new Map<number, (e: SessionEvent) => void>();
  private readonly deviceRequests = new Map<number, { resolve: (d: InputDevice[]) => void; reject: (e: EngineError) => void }>();
  private nextRequest = 1;
  /** Bumped after every command: wakes a worker that sleeps between microphone reads (see `CaptureWake`). */
  private readonly wake = new CaptureWake();

  constructor(private readonly script = path.join(__dirname, 'captureWorker.js')) {}

  /**
   * Starts the worker ahead of the first session (the engine does while its models load): its ~100 ms of start would
   * otherwise come between Start Dictation and 'listening'. Waiting for commands, it costs no CPU.
   */
  prestart(): void {
    this.ensureWorker();
  }

  start(job: CaptureJob, onEvent: (e: SessionEvent) => void): void {
    this.sessions.set(job.session, onEvent);
    // A file's samples move to the worker rather than being copied (the engine has no further use for them).
    const s = job.kind === 'file' ? job.samples : undefined;
    const movable = s && s.buffer instanceof ArrayBuffer && s.byteOffset === 0 && s.byteLength === s.buffer.byteLength;
    this.send({ type: 'start', job }, movable ? [s.buffer as ArrayBuffer] : []);
  }

  stop(session: number): void {
    this.send({ type: 'stop', session });
  }

  /** Forgets a session whose source has ended. */
  release(session: number): void {
    this.sessions.delete(session);
  }

  listDevices(backend: CaptureBackend): Promise<InputDevice[]> {
    const request = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.deviceRequests.set(request, { resolve, reject });
      this.send({ type: 'listDevices', request, backend });
    });
  }

  async dispose(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private send(cmd: CaptureCommand, transfer: ArrayBuffer[] = []): void {
    this.ensureWorker().postMessage(cmd, transfer);
    this.wake.ring();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { workerData: { wake: this.wake.shared } });
    worker.on('message', (e: CaptureEvent) => {
      if (e.type === 'devices') {
        const r = this.deviceRequests.get(e.request);
        this.deviceRequests.delete(e.request);
        if (e.error) r?.reject(new EngineError(e.error.code as EngineErrorCode, e.error.message));
        else r?.resolve(e.devices ?? []);
      } else {
        this.sessions.get(e.session)?.(e);
      }
    });
    const died = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const message = `The capture thread stopped (${why}); it restarts on the next dictation.`;
      for (const [session, onEvent] of this.sessions) onEvent({ type: 'error', session, code: EngineErrorCode.CaptureFailed, message });
      for (const r of this.deviceRequests.values()) r.reject(new EngineError(EngineErrorCode.CaptureFailed, message));
      this.sessions.clear();
      this.deviceRequests.clear();
    };
    worker.on('error', (err) => died(err.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    // The worker must not keep the engine alive on its own.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
