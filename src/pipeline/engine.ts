/**
 * The speech engine: a Node child process spoken to over JSON-RPC (vscode-jsonrpc on the fork IPC channel).
 * It never imports `vscode`. Models load once and stay loaded; an error answers the request and the engine keeps serving.
 */
// First: onnxruntime's telemetry is off before any module loads onnxruntime.
import './telemetryOff';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError } from 'vscode-jsonrpc/node';
import { CaptureHost } from './audio/captureHost';
import {
  DEFAULT_CAPTURE_BACKEND, DEFAULT_LEVERS, EngineConfig, EngineErrorCode, EngineState, InitializeResult, LogLevel, ModelName,
  Notifications, PROTOCOL_VERSION, Requests, SessionEndNotification,
} from '../protocol';
import { EngineError, asEngineError } from './errors';
import { readAudioFile, transcribeFile } from './fileTranscriber';
import { ListenSession } from './listen';
import { MAX_UTTERANCE_MS } from './segmenter';
import { EngineMetrics } from './metrics';
import { defaultCacheDir } from './modelCache';
import { reverifyTrusted } from './fileStamp';
import { checkConfig, checkInitialize, checkListDevices, checkStart, checkTranscribeFile } from './params';
import { SileroVad } from './vad';
import { encoderWindow, Whisper } from './whisper/whisper';

const DEFAULT_CONFIG: Required<Omit<EngineConfig, 'modelDir' | 'cacheDir'>> & { modelDir?: string; cacheDir?: string } = {
  model: 'tiny',
  language: 'en',
  vadThreshold: 0.5,
  hangoverMs: 600,
  preRollMs: 300,
  maxUtteranceMs: MAX_UTTERANCE_MS,
  encoderWindow: 'variable',
  partials: true,
  speculative: true,
  levers: {},
};
if (!process.send) {
  process.stderr.write('The VoiceFlow engine runs as a child process started with child_process.fork.\n');
  process.exit(2);
}

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
const metrics = new EngineMetrics();
type Config = typeof DEFAULT_CONFIG;
let config: Config = { ...DEFAULT_CONFIG };
let session: ListenSession | undefined;
const capture = new CaptureHost();
let nextSessionId = 1;
/** Warnings already sent (a cache that cannot be written warns once, not once per model and start). */
const warned = new Set<string>();

function log(level: LogLevel, message: string): void {
  void connection.sendNotification(Notifications.log, { level, message });
}

function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  log('warn', message);
}

function setState(state: EngineState, sessionId?: number, device?: string): void {
  void connection.sendNotification(Notifications.state, { state, sessionId, device });
}

function toResponseError(err: unknown): ResponseError<{ code: EngineErrorCode }> {
  const e = asEngineError(err);
  return new ResponseError(e.code, e.message, { code: e.code });
}

/** Wraps a handler so every failure is a JSON-RPC error with a code and a sentence. */
function handle<P, R>(fn: (params: P) => Promise<R>): (params: P) => Promise<R | ResponseError<{ code: EngineErrorCode }>> {
  return async (params: P) => {
    try {
      return await fn(params);
    } catch (err) {
      const e = asEngineError(err);
      log('error', `${e.code}: ${e.message}`);
      return toResponseError(e);
    }
  };
}

/**
 * Loaded models, by what shaped them. A model stays loaded while it is the configured one or in use (a session or
 * a file transcription holds it); the others are released when the configuration changes or their use ends, so
 * switching profiles does not pile models up.
 */
class ModelRegistry<T extends { release(): Promise<void> }> {
  private readonly entries = new Map<string, { model: Promise<T>; users: number; loaded?: T }>();

  constructor(private readonly what: string) {}

  /** The model for `key`, loaded by `load` if need be. A failed load is not kept: fixing the files and asking again works. */
  get(key: string, load: () => Promise<T>): Promise<T> {
    let e = this.entries.get(key);
    if (!e) {
      const entry: { model: Promise<T>; users: number; loaded?: T } = { model: load(), users: 0 };
      e = entry;
      this.entries.set(key, entry);
      entry.model.then((m) => (entry.loaded = m), () => this.entries.get(key) === entry && this.entries.delete(key));
    }
    return e.model;
  }

  /** The model for `key` if it has finished loading. */
  loaded(key: string): T | undefined {
    return this.entries.get(key)?.loaded;
  }

  /** Runs `use` with the model for `key` held: it is not released meanwhile. */
  async with<R>(key: string, load: () => Promise<T>, use: (model: T) => Promise<R>): Promise<R> {
    const model = await this.get(key, load);
    const e = this.entries.get(key);
    if (e) e.users++;
    try {
      return await use(model);
    } finally {
      if (e) e.users--;
    }
  }

  hold(key: string): () => void {
    const e = this.entries.get(key);
    if (e) e.users++;
    return () => {
      if (e) e.users--;
      releaseUnused();
    };
  }

  /** Releases every loaded model but `keep` that nobody uses. */
  async releaseExcept(keep: string): Promise<void> {
    for (const [key, e] of [...this.entries]) {
      if (key === keep || e.users > 0) continue;
      this.entries.delete(key);
      const model = await e.model.catch(() => undefined);
      if (model) {
        await model.release();
        log('info', `Released ${this.what} ${key.split(':')[0]} (not in use since the configuration changed).`);
      }
    }
  }

  /** Forgets every model (released as soon as it is not in use is not tracked: used when files changed on disk). */
  async releaseAll(): Promise<void> {
    for (const [key, e] of [...this.entries]) {
      this.entries.delete(key);
      if (e.users === 0) await (await e.model.catch(() => undefined))?.release();
    }
  }

  all(): Promise<T | undefined>[] {
    return [...this.entries.values()].map((e) => e.model.catch(() => undefined));
  }
}

const whispers = new ModelRegistry<Whisper>('Whisper');
const vads = new ModelRegistry<SileroVad>('the VAD');

function whisperKey(c: Config, model: ModelName = c.model): string {
  return `${model}:${c.encoderWindow}:${c.modelDir ?? ''}:${JSON.stringify(c.levers)}`;
}

function vadKey(c: Config): string {
  return String(c.levers.vadSequence ?? DEFAULT_LEVERS.vadSequence);
}

function loadWhisper(c: Config, model: ModelName): () => Promise<Whisper> {
  return async () => {
    const t = performance.now();
    const w = await Whisper.load(model, c.modelDir, encoderWindow(model, c.encoderWindow, c.levers), c.levers, {
      cacheDir: cacheDir(c),
      warn: warnOnce,
    });
    log('info', `Whisper ${model} (${c.encoderWindow} window) loaded in ${Math.round(performance.now() - t)} ms${w.cachedEdits ? ' (prepared models from the cache)' : ''}`);
    scheduleReverify();
    return w;
  };
}

function whisperFor(c: Config, model: ModelName = c.model): Promise<Whisper> {
  return whispers.get(whisperKey(c, model), loadWhisper(c, model));
}

function vadFor(c: Config): Promise<SileroVad> {
  return vads.get(vadKey(c), async () => {
    const v = await SileroVad.load(undefined, cacheDir(c), c.levers);
    scheduleReverify();
    return v;
  });
}

function cacheDir(c: Config): string {
  return c.cacheDir ?? defaultCacheDir();
}

/** Releases the models the current configuration does not use (and nothing holds). */
function releaseUnused(): void {
  const c = config;
  void whispers.releaseExcept(whisperKey(c)).then(() => vads.releaseExcept(vadKey(c))).catch((err: Error) => log('warn', `Releasing a model failed: ${err.message}`));
}

/** How long after a load the files trusted by their stamps are hashed again, ms: after the start's own work. */
const REVERIFY_DELAY_MS = 3000;
let reverifyTimer: NodeJS.Timeout | undefined;

/**
 * Files trusted at load by their size, mtime and inode (the pinned models, the prepared-model cache) are hashed again
 * in the background after a start: a file damaged in place with its mtime restored is found, its models are
 * unloaded, a damaged cache entry is removed, and the user is told; the next request loads them again (and fails
 * with the file's name if the pinned file itself is damaged).
 */
function scheduleReverify(): void {
  if (reverifyTimer) clearTimeout(reverifyTimer);
  reverifyTimer = setTimeout(() => {
    reverifyTimer = undefined;
    void reverifyTrusted().then(async (problems) => {
      if (problems.length === 0) return;
      for (const p of problems) log('error', p);
      await whispers.releaseAll();
      await vads.releaseAll();
      void connection.sendNotification(Notifications.error, {
        code: EngineErrorCode.ModelChecksumMismatch,
        message: `${problems[0]} The models were unloaded and are loaded again at the next dictation.`,
      });
    }).catch((err: Error) => log('warn', `Re-verifying the model files failed: ${err.message}`));
  }, REVERIFY_DELAY_MS);
  reverifyTimer.unref();
}

function segmenterOptions(c: Config = config) {
  return {
    threshold: c.vadThreshold,
    hangoverMs: c.hangoverMs,
    preRollMs: c.preRollMs,
    maxUtteranceMs: c.maxUtteranceMs,
  };
}

/** The configuration `next` would make; nothing is applied. */
function merged(next: EngineConfig): Config {
  return { ...config, ...(Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as Partial<Config>) };
}

/** Makes `next` the configuration and releases the models it no longer uses. */
function commit(next: Config): void {
  const before = whisperKey(config) + vadKey(config);
  config = next;
  if (whisperKey(config) + vadKey(config) !== before) releaseUnused();
}

// Every request's params are checked against one schema first (params.ts): a request that fails changes nothing.
connection.onRequest(Requests.initialize, handle(async (params) => {
  const next = merged(checkInitialize(params));
  setState('loading');
  const t0 = performance.now();
  try {
    const [whisper] = await Promise.all([whisperFor(next), vadFor(next)]);
    whisper.checkLanguage(next.language);
    // Applied only once its models loaded: a failed initialize leaves the previous configuration in force.
    commit(next);
    const result: InitializeResult = {
      protocolVersion: PROTOCOL_VERSION,
      model: whisper.name,
      language: next.language,
      loadMs: performance.now() - t0,
      cachedEdits: whisper.cachedEdits,
    };
    return result;
  } finally {
    setState(session ? 'listening' : 'idle');
  }
}));

connection.onRequest(Requests.configure, handle(async (params) => {
  const next = merged(checkConfig(params));
  // A language is checked against the tokenizer when a model is loaded (else when the next one loads).
  whispers.loaded(whisperKey(config))?.checkLanguage(next.language);
  commit(next);
}));

connection.onRequest(Requests.transcribeFile, handle(async (params) => {
  const { path, model, language } = checkTranscribeFile(params);
  const c = config;
  const lang = language ?? c.language;
  const m = model ?? c.model;
  const v = await vadFor(c);
  const result = await whispers.with(whisperKey(c, m), loadWhisper(c, m), (whisper) => transcribeFile(path, whisper, v.clone(), lang, segmenterOptions(c)));
  if (m !== config.model) releaseUnused();
  metrics.clippedSamples += result.ingest.clippedSamples;
  for (const s of result.segments) metrics.recordAll(s.timings);
  return result;
}));

connection.onRequest(Requests.start, handle(async (params) => {
  const { source } = checkStart(params);
  if (session) throw new EngineError(EngineErrorCode.Busy, 'Already listening: stop the current dictation first.');
  const fileSamples = source.kind === 'file' ? readAudioFile(source.path).samples : undefined;
  const c = config;
  const [whisper, v] = await Promise.all([whisperFor(c), vadFor(c)]);
  whisper.checkLanguage(c.language);
  if (session) throw new EngineError(EngineErrorCode.Busy, 'Already listening: stop the current dictation first.');
  const id = nextSessionId++;
  const s = new ListenSession(id, whisper, v.clone(), c.language, segmenterOptions(c), metrics, capture, {
    state: (state, device) => setState(state, id, device),
    final: (n) => void connection.sendNotification(Notifications.final, n),
    level: (n) => void connection.sendNotification(Notifications.level, n),
    partial: (n) => void connection.sendNotification(Notifications.partial, n),
    error: (e) => void connection.sendNotification(Notifications.error, { code: e.code, message: e.message, sessionId: id }),
  }, { partials: c.partials, speculate: c.speculative });
  session = s;
  // The session's models stay loaded until it ends, whatever the configuration does meanwhile.
  const releaseWhisper = whispers.hold(whisperKey(c));
  const releaseVad = vads.hold(vadKey(c));
  void s.done.then((end: SessionEndNotification) => {
    if (session === s) session = undefined;
    releaseWhisper();
    releaseVad();
    void connection.sendNotification(Notifications.sessionEnd, end);
    setState('idle', id);
  });
  // A device that cannot be opened fails the request (and the session ends, back to idle).
  const device = await s.start(source, fileSamples);
  log('info', `Session ${id} listening on ${device}`);
  return { sessionId: id, device };
}));

connection.onRequest(Requests.stop, handle(async () => {
  const s = session;
  if (!s) return null;
  return s.stop();
}));

connection.onRequest(Requests.metrics, handle(async () => metrics.snapshot()));

// The client's heartbeat, answered between inference calls (each onnxruntime run holds this loop while it lasts).
connection.onRequest(Requests.ping, () => null);

connection.onRequest(Requests.listDevices, handle(async (params) => {
  const b = checkListDevices(params).backend ?? DEFAULT_CAPTURE_BACKEND;
  return { backend: b, devices: await capture.listDevices(b) };
}));

connection.onRequest(Requests.shutdown, handle(async () => {
  await session?.stop();
  await capture.dispose();
  for (const p of [...whispers.all(), ...vads.all()]) await (await p)?.release();
  setImmediate(() => process.exit(0));
}));

// An engine error never takes the process down: report it and keep serving.
process.on('uncaughtException', (err) => {
  log('error', `uncaught: ${err.stack ?? err.message}`);
  void connection.sendNotification(Notifications.error, { code: EngineErrorCode.Internal, message: err.message });
});
process.on('unhandledRejection', (err) => {
  log('error', `unhandled rejection: ${String(err)}`);
});
// Ctrl+C in a terminal reaches the whole process group: the client decides when the engine stops (it asks for
// `stop` so the last utterance is transcribed and the device released, then `shutdown`).
process.on('SIGINT', () => log('debug', 'SIGINT ignored: the client stops the engine'));
// The parent went away: nothing left to serve.
process.on('disconnect', () => process.exit(0));

connection.listen();
log('info', `VoiceFlow engine ${process.pid} ready (Node ${process.version})`);
