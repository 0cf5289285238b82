/**
 * Starts the speech engine as a child process and speaks to it over JSON-RPC. Used by the CLI, the extension
 * and the benchmark alike, so all three drive the very same engine. Imports neither `vscode` nor onnxruntime.
 */
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  CancellationTokenSource,
  createMessageConnection,
  Disposable,
  IPCMessageReader,
  IPCMessageWriter,
  MessageConnection,
  NotificationType,
  ResponseError,
} from 'vscode-jsonrpc/node';
import { engineEnvironment } from './engineEnv';
import {
  DownloadModelParams,
  DownloadModelResult,
  DownloadProgressNotification,
  EngineConfig,
  EngineErrorCode,
  ErrorNotification,
  FinalNotification,
  InitializeResult,
  ListDevicesParams,
  LevelNotification,
  ListDevicesResult,
  LogNotification,
  MetricsResult,
  Notifications,
  PartialNotification,
  ProvisionalNotification,
  Requests,
  SessionEndNotification,
  StartParams,
  StartResult,
  StateNotification,
  TranscribeFileParams,
  TranscribeFileResult,
} from './protocol';

/**
 * V8 options of the engine process. A young generation of 1 MB semi-spaces instead of up to 16 MB: the engine's
 * short-lived objects are small (its large buffers live outside the heap), and V8 kept the larger semi-spaces
 * committed once grown (figures in docs/decisions.md).
 */
export const ENGINE_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=1'];

export interface EngineClientOptions {
  /** The engine bundle; default: engine.js beside this bundle. */
  enginePath?: string;
  /** The Node to run it with; default: this process's (Electron's Node inside VS Code, with ELECTRON_RUN_AS_NODE). */
  execPath?: string;
  /**
   * Environment for the engine, on purpose: the engine inherits only what a process needs from this one (PATH, HOME,
   * locale, XDG_*, audio servers: src/engineEnv.ts); anything else, VOICEFLOW_* debug variables included, reaches it
   * only when passed here.
   */
  env?: NodeJS.ProcessEnv;
  /** Node options for the engine process, after ENGINE_EXEC_ARGV, e.g. `--require` a preload. */
  execArgv?: string[];
  /** Where the engine's stderr goes (onnxruntime warnings, crashes); default: dropped unless VOICEFLOW_DEBUG is set. */
  onStderr?: (chunk: string) => void;
  /** Ping the engine while it runs and kill it when it stops answering (see HeartbeatOptions); default off. */
  heartbeat?: HeartbeatOptions;
  /** Per-method time limits over REQUEST_TIMEOUT_MS, ms. */
  requestTimeoutMs?: Partial<RequestTimeouts>;
}

export interface HeartbeatOptions {
  /** Pause between an answer and the next ping, ms; default HEARTBEAT_INTERVAL_MS. */
  intervalMs?: number;
  /** A ping unanswered this long means the engine hangs: it is killed, ms; default HEARTBEAT_TIMEOUT_MS. */
  timeoutMs?: number;
  /** The owner starts a new engine after a hang (the extension does): the sentence says "restarted". */
  restarts?: boolean;
}

/**
 * The engine answers a ping from its main loop between inference calls. onnxruntime-node runs each inference
 * synchronously on that loop (its `run` is a native call behind a setImmediate), so the longest single model run is
 * the longest a ping can wait (5.4 s seen; docs/decisions.md). A hang is called at 30 s.
 */
export const HEARTBEAT_INTERVAL_MS = 5000;
export const HEARTBEAT_TIMEOUT_MS = 30000;

/**
 * How long each request may take before it fails, ms. Loading prepares the models on a cold start (graph edits,
 * hashing: up to about a minute for base on a slow machine); stop transcribes the last utterance; transcribeFile
 * grows with the file (fileTimeoutMs). A hung engine is caught sooner by the heartbeat.
 */
export type RequestTimeouts = Record<'initialize' | 'start' | 'stop' | 'configure' | 'metrics' | 'listDevices' | 'transcribeFile', number>;
export const REQUEST_TIMEOUT_MS: Readonly<RequestTimeouts> = {
  initialize: 180_000,
  start: 180_000,
  stop: 60_000,
  configure: 30_000,
  metrics: 30_000,
  listDevices: 30_000,
  transcribeFile: 180_000,
};
/** A model download's outer limit, ms (the engine fails one that stalls long before). */
export const DOWNLOAD_TIMEOUT_MS = 60 * 60_000;
/** transcribeFile's extra time per byte of the file: a 16 kHz mono 16-bit file gets its own duration again. */
const TRANSCRIBE_MS_PER_BYTE = 1 / 32;

/** How the engine process ended. */
export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the client killed it because it stopped answering: the sentence to show. */
  hung?: string;
}

/** A JSON-RPC error from the engine, with its protocol code. */
export class EngineRequestError extends Error {
  constructor(
    readonly code: EngineErrorCode | number,
    message: string,
  ) {
    super(message);
    this.name = 'EngineRequestError';
  }
}

export class EngineClient {
  readonly exited: Promise<EngineExit>;
  private closed = false;
  private hung?: string;
  private heartbeatTimer?: NodeJS.Timeout;
  private stopHeartbeat = false;
  private readonly pingLatencies: number[] = [];
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();

  private constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
    private readonly timeouts: RequestTimeouts,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.closed = true;
        this.stopHeartbeat = true;
        clearTimeout(this.heartbeatTimer);
        resolve({ code, signal, ...(this.hung ? { hung: this.hung } : {}) });
      }),
    );
  }

  static start(opts: EngineClientOptions = {}): EngineClient {
    const enginePath = opts.enginePath ?? path.join(__dirname, 'engine.js');
    const child = fork(enginePath, [], {
      execPath: opts.execPath ?? process.execPath,
      env: engineEnvironment(process.env, opts.env),
      execArgv: [...ENGINE_EXEC_ARGV, ...(opts.execArgv ?? [])],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const onStderr = opts.onStderr ?? (process.env.VOICEFLOW_DEBUG ? (s: string) => process.stderr.write(s) : undefined);
    child.stdout?.on('data', (d: Buffer) => onStderr?.(d.toString()));
    child.stderr?.on('data', (d: Buffer) => onStderr?.(d.toString()));
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    const client = new EngineClient(child, connection, { ...REQUEST_TIMEOUT_MS, ...opts.requestTimeoutMs });
    if (opts.heartbeat) client.beat(opts.heartbeat);
    return client;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.closed;
  }

  /** Round trips of the heartbeat's pings so far, ms (the latest 1000). */
  get pingMs(): readonly number[] {
    return this.pingLatencies;
  }

  initialize(config: EngineConfig = {}): Promise<InitializeResult> {
    return this.request('initialize', this.timeouts.initialize, () => this.connection.sendRequest(Requests.initialize, { config }));
  }

  transcribeFile(params: TranscribeFileParams): Promise<TranscribeFileResult> {
    return this.request('transcribeFile', fileTimeoutMs(params.path, this.timeouts.transcribeFile), () =>
      this.connection.sendRequest(Requests.transcribeFile, params),
    );
  }

  start(params: StartParams): Promise<StartResult> {
    return this.request('start', this.timeouts.start, () => this.connection.sendRequest(Requests.start, params));
  }

  stop(): Promise<SessionEndNotification | null> {
    return this.request('stop', this.timeouts.stop, () => this.connection.sendRequest(Requests.stop));
  }

  configure(config: EngineConfig): Promise<void> {
    return this.request('configure', this.timeouts.configure, () => this.connection.sendRequest(Requests.configure, config));
  }

  metrics(): Promise<MetricsResult> {
    return this.request('metrics', this.timeouts.metrics, () => this.connection.sendRequest(Requests.metrics));
  }

  listDevices(params: ListDevicesParams = {}): Promise<ListDevicesResult> {
    return this.request('listDevices', this.timeouts.listDevices, () => this.connection.sendRequest(Requests.listDevices, params));
  }

  /**
   * Downloads a model that is not installed with the extension (Requests.downloadModel). No time limit of its own: the
   * engine fails a download that stalls for 30 s, and the heartbeat catches a hung engine. `signal` cancels it.
   */
  async downloadModel(
    params: DownloadModelParams,
    opts: { onProgress?: (p: DownloadProgressNotification) => void; signal?: AbortSignal } = {},
  ): Promise<DownloadModelResult> {
    const progress = opts.onProgress && this.listen(Notifications.downloadProgress, (p) => p.model === params.model && opts.onProgress!(p));
    const source = new CancellationTokenSource();
    const onAbort = () => source.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.request('downloadModel', DOWNLOAD_TIMEOUT_MS, () =>
        this.connection.sendRequest(Requests.downloadModel, params, source.token),
      );
    } finally {
      progress?.dispose();
      opts.signal?.removeEventListener('abort', onAbort);
      source.dispose();
    }
  }

  /** One round trip, ms. */
  async ping(timeoutMs = HEARTBEAT_TIMEOUT_MS): Promise<number> {
    const t0 = performance.now();
    await this.request('ping', timeoutMs, () => this.connection.sendRequest(Requests.ping));
    return performance.now() - t0;
  }

  onFinal(cb: (n: FinalNotification) => void): Disposable {
    return this.listen(Notifications.final, cb);
  }
  onProvisional(cb: (n: ProvisionalNotification) => void): Disposable {
    return this.listen(Notifications.provisional, cb);
  }
  onState(cb: (n: StateNotification) => void): Disposable {
    return this.listen(Notifications.state, cb);
  }
  onSessionEnd(cb: (n: SessionEndNotification) => void): Disposable {
    return this.listen(Notifications.sessionEnd, cb);
  }
  onPartial(cb: (n: PartialNotification) => void): Disposable {
    return this.listen(Notifications.partial, cb);
  }
  onLevel(cb: (n: LevelNotification) => void): Disposable {
    return this.listen(Notifications.level, cb);
  }
  onLog(cb: (n: LogNotification) => void): Disposable {
    return this.listen(Notifications.log, cb);
  }
  onError(cb: (n: ErrorNotification) => void): Disposable {
    return this.listen(Notifications.error, cb);
  }

  /** vscode-jsonrpc keeps one handler per method: fan each notification out to any number of listeners. */
  private listen<P>(type: NotificationType<P>, cb: (p: P) => void): Disposable {
    let set = this.listeners.get(type.method) as Set<(p: P) => void> | undefined;
    if (!set) {
      const created = new Set<(p: P) => void>();
      set = created;
      this.listeners.set(type.method, created as Set<(p: unknown) => void>);
      this.connection.onNotification(type, (p: P) => {
        for (const l of [...created]) l(p);
      });
    }
    set.add(cb);
    const owner = set;
    return { dispose: () => owner.delete(cb) };
  }

  /** Asks the engine to shut down, and kills it if it does not within `graceMs`. */
  async shutdown(graceMs = 3000): Promise<void> {
    this.stopHeartbeat = true;
    clearTimeout(this.heartbeatTimer);
    if (this.closed) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await Promise.race([this.connection.sendRequest(Requests.shutdown), this.exited]);
    } catch {
      /* the engine may exit before it answers */
    }
    await this.exited;
    clearTimeout(timer);
    this.connection.dispose();
  }

  /**
   * Pings the engine, the next ping `intervalMs` after each answer. A ping unanswered for `timeoutMs` means the engine
   * hangs: it is killed, so `exited` resolves (with `hung`) and every pending request fails with that sentence.
   */
  private beat(opts: HeartbeatOptions): void {
    const intervalMs = opts.intervalMs ?? HEARTBEAT_INTERVAL_MS;
    const timeoutMs = opts.timeoutMs ?? HEARTBEAT_TIMEOUT_MS;
    const sentence = `The speech engine stopped answering for ${seconds(timeoutMs)} s and was ${opts.restarts ? 'restarted' : 'stopped'}.`;
    const next = (delayMs: number) => {
      if (this.stopHeartbeat) return;
      this.heartbeatTimer = setTimeout(ping, delayMs);
      this.heartbeatTimer.unref();
    };
    const ping = () => {
      if (this.stopHeartbeat) return;
      const t0 = performance.now();
      let answered = false;
      this.connection.sendRequest(Requests.ping).then(
        () => {
          answered = true;
          clearTimeout(this.heartbeatTimer);
          if (this.pingLatencies.push(performance.now() - t0) > 1000) this.pingLatencies.shift();
          next(intervalMs);
        },
        () => undefined /* the connection closed: `exited` tells why */,
      );
      this.heartbeatTimer = setTimeout(() => {
        // Timers run before I/O in Node's loop: if this process itself was blocked, the answer may be waiting unread.
        // Let the loop read it once before calling the engine hung.
        setImmediate(() => {
          if (answered || this.stopHeartbeat) return;
          this.hung = sentence;
          this.stopHeartbeat = true;
          this.child.kill('SIGKILL');
        });
      }, timeoutMs);
      this.heartbeatTimer.unref();
    };
    next(intervalMs);
  }

  private async request<R>(method: string, timeoutMs: number, send: () => Promise<R>): Promise<R> {
    if (this.closed) throw new EngineRequestError(EngineErrorCode.Internal, this.hung ?? 'The speech engine is not running.');
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        send(),
        this.exited.then(({ code, signal, hung }) => {
          throw new EngineRequestError(
            EngineErrorCode.Internal,
            hung ?? `The speech engine exited (${signal ?? `code ${code}`}) before answering.`,
          );
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new EngineRequestError(
                  EngineErrorCode.Internal,
                  `The speech engine did not answer ${method} within ${seconds(timeoutMs)} s.`,
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      if (err instanceof ResponseError) throw new EngineRequestError(err.code, err.message);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** transcribeFile's time limit: `baseMs` plus time in proportion to the file's size. */
export function fileTimeoutMs(file: string, baseMs = REQUEST_TIMEOUT_MS.transcribeFile): number {
  let bytes = 0;
  try {
    bytes = fs.statSync(file).size;
  } catch {
    /* the engine answers a missing file at once */
  }
  return baseMs + bytes * TRANSCRIBE_MS_PER_BYTE;
}

/** 30000 -> "30", 1500 -> "1.5". */
function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
