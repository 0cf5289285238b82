/**
 * The speech engine as the extension sees it: forked on first use with VS Code's own Node (process.execPath with
 * ELECTRON_RUN_AS_NODE), kept warm, shut down on deactivate, restarted with backoff if it dies. The user is told
 * once per crash streak, not on every restart.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { EngineClient, EngineExit, HeartbeatOptions } from '../engineClient';
import {
  DownloadModelResult,
  DownloadProgressNotification,
  EngineConfig,
  ErrorNotification,
  FinalNotification,
  InitializeResult,
  LevelNotification,
  LogNotification,
  ModelName,
  PartialNotification,
  ProvisionalNotification,
  SessionEndNotification,
  StateNotification,
} from '../protocol';

/** Restart delays after consecutive crashes, ms; the last repeats. */
const RESTART_BACKOFF_MS = [0, 1000, 5000, 15000];
/** Running this long without a crash resets the backoff. */
const HEALTHY_AFTER_MS = 60000;

/**
 * The engine's notifications as VS Code events, whichever engine process is running: the controller and the views
 * subscribe to what they need (one hop from the engine to a listener).
 */
export class EngineHost implements vscode.Disposable {
  private readonly finals = new vscode.EventEmitter<FinalNotification>();
  private readonly partials = new vscode.EventEmitter<PartialNotification>();
  private readonly provisionals = new vscode.EventEmitter<ProvisionalNotification>();
  private readonly states = new vscode.EventEmitter<StateNotification>();
  private readonly levels = new vscode.EventEmitter<LevelNotification>();
  private readonly errors = new vscode.EventEmitter<ErrorNotification>();
  private readonly sessionEnds = new vscode.EventEmitter<SessionEndNotification>();
  private readonly crashes$ = new vscode.EventEmitter<string>();
  readonly onDidFinal = this.finals.event;
  readonly onDidPartial = this.partials.event;
  readonly onDidProvisional = this.provisionals.event;
  readonly onDidChangeState = this.states.event;
  readonly onDidLevel = this.levels.event;
  readonly onDidError = this.errors.event;
  readonly onDidEndSession = this.sessionEnds.event;
  /** The engine died or hung (the reason as a sentence); it is being restarted. */
  readonly onDidCrash = this.crashes$.event;

  private client?: EngineClient;
  private ready?: Promise<EngineClient>;
  private crashes = 0;
  private startedAt = 0;
  private disposed = false;
  private toldUser = false;
  initResult?: InitializeResult;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly config: () => EngineConfig,
  ) {}

  get pid(): number | undefined {
    return this.client?.running ? this.client.pid : undefined;
  }

  /** The running engine, started and initialized if need be. */
  engine(): Promise<EngineClient> {
    if (this.disposed) return Promise.reject(new Error('VoiceFlow is shutting down.'));
    if (!this.ready) {
      this.ready = this.start();
      this.ready.catch(() => (this.ready = undefined));
    }
    return this.ready;
  }

  /** Sends changed settings to a running engine (a stopped one reads them when it starts). */
  async reconfigure(): Promise<void> {
    if (!this.client?.running) return;
    await (await this.engine()).configure(this.config());
  }

  private async start(): Promise<EngineClient> {
    const delay = RESTART_BACKOFF_MS[Math.min(this.crashes, RESTART_BACKOFF_MS.length - 1)];
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const t0 = Date.now();
    // A hung engine (no answer to a ping) is killed; onExit then restarts it like a crashed one.
    const client = this.spawn('engine', { restarts: true });
    this.client = client;
    this.log.info(`Speech engine started (pid ${client.pid}).`);
    client.onFinal((n) => this.finals.fire(n));
    client.onPartial((n) => this.partials.fire(n));
    client.onProvisional((n) => this.provisionals.fire(n));
    client.onState((n) => this.states.fire(n));
    client.onLevel((n) => this.levels.fire(n));
    client.onError((n) => this.errors.fire(n));
    client.onSessionEnd((n) => this.sessionEnds.fire(n));
    client.onLog((n: LogNotification) => this.logEngine(n));
    void client.exited.then((exit) => this.onExit(client, exit));
    try {
      this.initResult = await client.initialize(this.config());
    } catch (err) {
      await client.shutdown();
      throw err;
    }
    this.startedAt = Date.now();
    this.log.info(
      `Speech engine ready: ${this.initResult.model} loaded in ${Math.round(this.initResult.loadMs)} ms, warm in ${Math.round(Date.now() - t0)} ms.`,
    );
    return client;
  }

  /** An engine process from the extension's bundle, run by VS Code's own Node, its stderr in the log as `label`. */
  private spawn(label: string, heartbeat: HeartbeatOptions): EngineClient {
    return EngineClient.start({
      enginePath: path.join(this.extensionPath, 'dist', 'engine.js'),
      execPath: process.execPath,
      onStderr: (s) => this.log.debug(`[${label} stderr] ${s.trimEnd()}`),
      heartbeat,
    });
  }

  private logEngine(n: LogNotification): void {
    const line = `[engine] ${n.message}`;
    if (n.level === 'error') this.log.error(line);
    else if (n.level === 'warn') this.log.warn(line);
    else if (n.level === 'info') this.log.info(line);
    else this.log.debug(line);
  }

  private onExit(client: EngineClient, { code, signal, hung }: EngineExit): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.ready = undefined;
    if (this.disposed) return;
    if (Date.now() - this.startedAt > HEALTHY_AFTER_MS) {
      this.crashes = 0;
      this.toldUser = false;
    }
    this.crashes++;
    // A hang's sentence already says the engine was restarted.
    const reason = hung ?? `The speech engine stopped unexpectedly (${signal ?? `exit code ${code}`}).`;
    this.log.error(`${reason} Restart #${this.crashes}.`);
    if (!this.toldUser) {
      this.toldUser = true;
      const next = hung ? 'See' : 'It is being restarted; see';
      void vscode.window.showWarningMessage(`VoiceFlow: ${reason} ${next} the VoiceFlow output for details.`);
    }
    this.crashes$.fire(reason);
    // Keep it warm: start again in the background.
    void this.engine().catch((err: Error) => this.log.error(`Restarting the speech engine failed: ${err.message}`));
  }

  /**
   * Downloads a model in an engine process of its own (the running one, if any, goes on dictating; one configured
   * with a model that is not downloaded could not even start), which ends with the download.
   */
  async download(
    model: ModelName,
    opts: { onProgress?: (p: DownloadProgressNotification) => void; signal?: AbortSignal },
  ): Promise<DownloadModelResult> {
    const client = this.spawn('download engine', {});
    client.onLog((n: LogNotification) => this.logEngine(n));
    try {
      // Its cache folder (where the model goes) is the one the dictation engine reads.
      await client.configure({ cacheDir: this.config().cacheDir });
      return await client.downloadModel({ model }, opts);
    } finally {
      await client.shutdown();
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const client = this.client;
    this.client = undefined;
    await client?.shutdown();
    for (const e of [this.finals, this.partials, this.provisionals, this.states, this.levels, this.errors, this.sessionEnds, this.crashes$])
      e.dispose();
  }
}
