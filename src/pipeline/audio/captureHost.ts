import * as path from 'path';
import { Worker } from 'worker_threads';
import { CaptureBackend, EngineErrorCode, InputDevice } from '../../protocol';
import { EngineError } from '../errors';
import { CaptureCommand, CaptureEvent, CaptureJob } from './source';

type SessionEvent = Exclude<CaptureEvent, { type: 'devices' }>;

/**
 * The engine's side of the capture worker: one worker thread for the engine's life, started on first use and
 * started again if it dies. Sessions get their own events; device lists are asked of the worker too.
 */
export class CaptureHost {
  private worker?: Worker;
  private readonly sessions = new Map<number, (e: SessionEvent) => void>();
  private readonly deviceRequests = new Map<number, { resolve: (d: InputDevice[]) => void; reject: (e: EngineError) => void }>();
  private nextRequest = 1;

  constructor(private readonly script = path.join(__dirname, 'captureWorker.js')) {}

  start(job: CaptureJob, onEvent: (e: SessionEvent) => void): void {
    this.sessions.set(job.session, onEvent);
    this.send({ type: 'start', job });
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

  private send(cmd: CaptureCommand): void {
    this.ensureWorker().postMessage(cmd);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
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
