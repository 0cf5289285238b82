/**
 * Starts the speech engine as a child process and speaks to it over JSON-RPC. Used by the CLI, the extension
 * and the benchmark alike, so all three drive the very same engine. Imports neither `vscode` nor onnxruntime.
 */
import { ChildProcess, fork } from 'child_process';
import * as path from 'path';
import {
  createMessageConnection, Disposable, IPCMessageReader, IPCMessageWriter, MessageConnection, NotificationType, ResponseError,
} from 'vscode-jsonrpc/node';
import { engineEnvironment } from './engineEnv';
import {
  EngineConfig, EngineErrorCode, ErrorNotification, FinalNotification, InitializeResult, ListDevicesParams,
  LevelNotification, ListDevicesResult, LogNotification,
  MetricsResult, Notifications, PartialNotification, Requests, SessionEndNotification, StartParams, StartResult, StateNotification,
  TranscribeFileParams, TranscribeFileResult,
} from './protocol';

export { ENGINE_ENV } from './engineEnv';

/**
 * V8 options of the engine process. A young generation of 1 MB semi-spaces instead of up to 16 MB: the engine's
 * short-lived objects are small (its large buffers live outside the heap), and V8 kept the larger semi-spaces
 * committed once grown (heap 41 MB committed for 7 MB used, measured after dictation; with this option 11 MB, and
 * no change in speed in an alternated A/B on jfk.wav and goforward.wav).
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
}

/** A JSON-RPC error from the engine, with its protocol code. */
export class EngineRequestError extends Error {
  constructor(readonly code: EngineErrorCode | number, message: string) {
    super(message);
    this.name = 'EngineRequestError';
  }
}

export class EngineClient {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private closed = false;
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();

  private constructor(readonly child: ChildProcess, readonly connection: MessageConnection) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.closed = true;
      resolve({ code, signal });
    }));
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
    return new EngineClient(child, connection);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.closed;
  }

  initialize(config: EngineConfig = {}): Promise<InitializeResult> {
    return this.request(() => this.connection.sendRequest(Requests.initialize, { config }));
  }

  transcribeFile(params: TranscribeFileParams): Promise<TranscribeFileResult> {
    return this.request(() => this.connection.sendRequest(Requests.transcribeFile, params));
  }

  start(params: StartParams): Promise<StartResult> {
    return this.request(() => this.connection.sendRequest(Requests.start, params));
  }

  stop(): Promise<SessionEndNotification | null> {
    return this.request(() => this.connection.sendRequest(Requests.stop));
  }

  configure(config: EngineConfig): Promise<void> {
    return this.request(() => this.connection.sendRequest(Requests.configure, config));
  }

  metrics(): Promise<MetricsResult> {
    return this.request(() => this.connection.sendRequest(Requests.metrics));
  }

  listDevices(params: ListDevicesParams = {}): Promise<ListDevicesResult> {
    return this.request(() => this.connection.sendRequest(Requests.listDevices, params));
  }

  onFinal(cb: (n: FinalNotification) => void): Disposable {
    return this.listen(Notifications.final, cb);
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

  private async request<R>(send: () => Promise<R>): Promise<R> {
    if (this.closed) throw new EngineRequestError(EngineErrorCode.Internal, 'The speech engine is not running.');
    try {
      return await Promise.race([
        send(),
        this.exited.then(({ code, signal }) => {
          throw new EngineRequestError(EngineErrorCode.Internal, `The speech engine exited (${signal ?? `code ${code}`}) before answering.`);
        }),
      ]);
    } catch (err) {
      if (err instanceof ResponseError) throw new EngineRequestError(err.code, err.message);
      throw err;
    }
  }
}
