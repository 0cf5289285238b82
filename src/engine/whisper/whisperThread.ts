/**
 * Whisper on a worker thread of its own. onnxruntime-node runs a session synchronously on the calling thread (its
 * `run` only defers the call with setImmediate), so a Whisper pass on the engine's main thread holds the event loop
 * for every encoder and decoder step: the frames captured meanwhile wait for the VAD (p95 54 ms with tiny, 217 ms
 * with base, live), and so do the client's requests. Here the model loads and runs in whisperWorker.ts; the main
 * thread keeps a tokenizer (read while the worker loads, from files checked against their pins) and posts each pass's
 * audio. The worker is started with the engine (spareWorker.ts).
 * Same surface as Whisper (`SpeechModel`); EngineLevers.whisperThread picks it (docs/decisions.md).
 */
import { Worker } from 'worker_threads';
import { EngineErrorCode, EngineLevers } from '../../protocol';
import { asEngineError, EngineError } from '../errors';
import { verifyWhisperSmallFiles, whisperFiles } from '../models/pins';
import { takeWhisperWorker, WHISPER_WORKER_SCRIPT } from './spareWorker';
import { WhisperTokenizer } from './tokenizer';
import { checkLanguage, EncoderWindow, ModelCacheOptions, TranscribeOptions, Whisper, WhisperResult } from './whisper';

/** What the engine uses of a loaded Whisper, on this thread or on its own. */
export type SpeechModel = Pick<
  Whisper,
  'name' | 'tokenizer' | 'window' | 'cachedEdits' | 'busy' | 'transcribe' | 'listenFor' | 'checkLanguage' | 'release'
>;

/** Messages to the worker. */
export type WhisperCommand =
  | {
      type: 'load';
      name: string;
      modelDir?: string;
      window: EncoderWindow;
      levers: EngineLevers;
      cacheDir?: string;
    }
  | { type: 'transcribe'; id: number; audio: Float32Array; language: string; options: TranscribeOptions }
  | { type: 'listenFor'; words: readonly string[] }
  | { type: 'reverify'; id: number }
  | { type: 'release' };

/** An EngineError as it crosses the thread (an Error is not cloned with its class). */
export interface SerializedError {
  code: EngineErrorCode;
  message: string;
}

/** Messages from the worker. */
export type WhisperEvent =
  | { type: 'loaded'; name: string; cachedEdits: boolean; error?: undefined }
  | { type: 'loaded'; error: SerializedError }
  | { type: 'warn'; message: string }
  | { type: 'result'; id: number; result: WhisperResult; error?: undefined }
  | { type: 'result'; id: number; error: SerializedError }
  | { type: 'reverified'; id: number; problems: string[] }
  | { type: 'released' };

export function serializeError(err: unknown): SerializedError {
  const { code, message } = asEngineError(err);
  return { code, message };
}

function deserializeError(e: SerializedError): EngineError {
  return new EngineError(e.code, e.message);
}

export class WhisperThread implements SpeechModel {
  private running = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: WhisperResult) => void; reject: (e: Error) => void }>();
  private readonly reverifying = new Map<number, (problems: string[]) => void>();
  private released?: Promise<void>;
  /** Why the worker is gone, once it is. */
  private dead?: EngineError;

  private constructor(
    private readonly worker: Worker,
    readonly name: Whisper['name'],
    readonly tokenizer: WhisperTokenizer,
    readonly window: EncoderWindow,
    readonly cachedEdits: boolean,
  ) {
    // The thread never keeps the process alive by itself: the engine exits when its client goes, mid-pass or not.
    worker.unref();
    worker.on('message', (e: WhisperEvent) => {
      if (e.type === 'reverified') {
        this.reverifying.get(e.id)?.(e.problems);
        this.reverifying.delete(e.id);
      }
      if (e.type !== 'result') return;
      const p = this.pending.get(e.id);
      this.pending.delete(e.id);
      if (e.error) p?.reject(deserializeError(e.error));
      else p?.resolve(e.result);
    });
    const gone = (why: string) => {
      this.dead ??= new EngineError(EngineErrorCode.InferenceFailed, `The speech model's thread stopped: ${why}`);
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
      for (const done of this.reverifying.values()) done([]);
      this.reverifying.clear();
    };
    worker.on('error', (err) => gone(err.message));
    worker.on('exit', (code) => gone(`exit code ${code}`));
  }

  /** Loads a model on a new worker thread (Whisper.load's arguments); the worker's warnings go to `cache.warn`. */
  static async load(
    name: string,
    modelDir: string | undefined,
    window: EncoderWindow,
    levers: EngineLevers,
    cache: ModelCacheOptions = {},
    script = WHISPER_WORKER_SCRIPT,
  ): Promise<WhisperThread> {
    const worker = takeWhisperWorker(script);
    try {
      const loading = new Promise<Extract<WhisperEvent, { type: 'loaded' }>>((resolve, reject) => {
        worker.on('message', (e: WhisperEvent) => {
          if (e.type === 'warn') cache.warn?.(e.message);
          else if (e.type === 'loaded') resolve(e);
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the speech model's thread exited (code ${code}) while loading`)));
        worker.postMessage({ type: 'load', name, modelDir, window, levers, cacheDir: cache.cacheDir } satisfies WhisperCommand);
      });
      loading.catch(() => undefined);
      // This thread's tokenizer is read while the worker loads (parsing takes ~150 ms: after the load it added that to
      // every start), from files checked against their pins first, as the worker checks them. The worker's error, if
      // any, is the one reported: it says what is wrong with the model as a whole (not downloaded, damaged, ...).
      let tokenizer: WhisperTokenizer | Error;
      try {
        const files = whisperFiles(name, modelDir, cache.cacheDir);
        verifyWhisperSmallFiles(files);
        tokenizer = WhisperTokenizer.fromDir(files.dir);
      } catch (err) {
        tokenizer = err as Error;
      }
      const loaded = await loading;
      if (loaded.error) throw deserializeError(loaded.error);
      if (tokenizer instanceof Error) throw tokenizer;
      return new WhisperThread(worker, loaded.name as Whisper['name'], tokenizer, window, loaded.cachedEdits);
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  listenFor(words: readonly string[]): void {
    this.worker.postMessage({ type: 'listenFor', words: [...words] } satisfies WhisperCommand);
  }

  checkLanguage(language: string): void {
    checkLanguage(this.tokenizer, language);
  }

  get busy(): boolean {
    return this.running > 0;
  }

  /** False once the thread has died or the model was released (the engine's registry then loads it again). */
  get usable(): boolean {
    return !this.dead && !this.released;
  }

  /** As Whisper.transcribe, on the worker. */
  transcribe(audio: Float32Array, language: string, options: TranscribeOptions = {}): Promise<WhisperResult> {
    if (this.released) return Promise.reject(new EngineError(EngineErrorCode.InferenceFailed, 'The speech model was released.'));
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    this.running++;
    const copy = audio.slice();
    const result = new Promise<WhisperResult>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    // A copy of the view only (the caller's buffer may be a window on a larger one), handed over without another.
    this.worker.postMessage({ type: 'transcribe', id, audio: copy, language, options } satisfies WhisperCommand, [copy.buffer]);
    return result.finally(() => this.running--);
  }

  /**
   * The files this thread's load trusted by their stamp (fileStamp.ts keeps them per thread), hashed again there:
   * a sentence for each that changed on disk. Nothing when the thread is gone.
   */
  reverify(): Promise<string[]> {
    if (this.dead || this.released) return Promise.resolve([]);
    const id = this.nextId++;
    const done = new Promise<string[]>((resolve) => this.reverifying.set(id, resolve));
    this.worker.postMessage({ type: 'reverify', id } satisfies WhisperCommand);
    return done;
  }

  /** Releases the model's sessions, then ends the thread. */
  release(): Promise<void> {
    this.released ??= (async () => {
      if (!this.dead) {
        const done = new Promise<void>((resolve) => {
          this.worker.on('message', (e: WhisperEvent) => e.type === 'released' && resolve());
          this.worker.once('exit', () => resolve());
        });
        this.worker.postMessage({ type: 'release' } satisfies WhisperCommand);
        await done;
      }
      await this.worker.terminate();
    })();
    return this.released;
  }
}
