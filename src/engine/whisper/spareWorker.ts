/**
 * The speech model's worker thread (whisperThread.ts), started as the engine process starts. A worker takes ~100 ms
 * to start and to load its bundle and onnxruntime before it can begin loading a model; started here, that overlaps
 * the engine's own start and the client's `initialize` on its way, instead of adding to every cold start. The first
 * load takes it; later loads (a profile change) start their own. Kept out of whisperThread.ts so that the engine's
 * entry can start it before it loads anything heavy itself.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';

export const WHISPER_WORKER_SCRIPT = path.join(__dirname, 'whisperWorker.js');

let spare: { worker: Worker; script: string; gone: boolean } | undefined;

/** Starts the spare worker (once). It never keeps the process alive by itself. */
export function prestartWhisperWorker(script = WHISPER_WORKER_SCRIPT): void {
  if (spare) return;
  const s = { worker: new Worker(script), script, gone: false };
  // A worker that fails or ends before it is used is not handed out; the load then starts a new one and sees why.
  s.worker.once('error', () => (s.gone = true));
  s.worker.once('exit', () => (s.gone = true));
  s.worker.unref();
  spare = s;
}

/** The spare worker for `script` if it is still running (taken once), else a new worker. */
export function takeWhisperWorker(script = WHISPER_WORKER_SCRIPT): Worker {
  const s = spare;
  if (s && s.script === script) {
    spare = undefined;
    if (!s.gone) return s.worker;
  }
  return new Worker(script);
}

/** Ends the spare worker, if one is waiting (a load on the engine's own thread does not use it). */
export function dropSpareWhisperWorker(): void {
  const s = spare;
  spare = undefined;
  if (s && !s.gone) void s.worker.terminate();
}
