/**
 * The speech engine: a Node child process spoken to over JSON-RPC (vscode-jsonrpc on the fork IPC channel).
 * It never imports `vscode`. Models load once and stay loaded; an error answers the request and the engine keeps serving.
 */
// First: onnxruntime's telemetry is off before any module loads onnxruntime.
import './telemetryOff';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError } from 'vscode-jsonrpc/node';
import { CaptureHost } from './audio/captureHost';
import {
  CAPTURE_BACKENDS, DEFAULT_CAPTURE_BACKEND, DEFAULT_LEVERS, EngineConfig, EngineErrorCode, EngineLevers, EngineState, InitializeResult, LogLevel, Notifications,
  PROTOCOL_VERSION, Requests, SessionEndNotification,
} from '../protocol';
import { EngineError, asEngineError } from './errors';
import { readAudioFile, transcribeFile } from './fileTranscriber';
import { ListenSession } from './listen';
import { EngineMetrics } from './metrics';
import { defaultCacheDir } from './modelCache';
import { isModelName } from './models';
import { SileroVad } from './vad';
import { encoderWindow, Whisper } from './whisper/whisper';

const DEFAULT_CONFIG: Required<Omit<EngineConfig, 'modelDir' | 'cacheDir'>> & { modelDir?: string; cacheDir?: string } = {
  model: 'tiny',
  language: 'en',
  vadThreshold: 0.5,
  hangoverMs: 600,
  preRollMs: 300,
  maxUtteranceMs: 28000,
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
let config = { ...DEFAULT_CONFIG };
/** Loaded models by `${model}:${encoderWindow}`. */
const models = new Map<string, Promise<Whisper>>();
/** Loaded VAD models by levers.vadSequence. */
const vadModels = new Map<boolean, Promise<SileroVad>>();
let session: ListenSession | undefined;
const capture = new CaptureHost();
let nextSessionId = 1;

function log(level: LogLevel, message: string): void {
  void connection.sendNotification(Notifications.log, { level, message });
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

function whisperFor(name: string | undefined): Promise<Whisper> {
  const model = name ?? config.model;
  if (!isModelName(model)) {
    return Promise.reject(new EngineError(EngineErrorCode.UnknownModel, `Unknown model "${model}": choose tiny or base.`));
  }
  const key = `${model}:${config.encoderWindow}:${JSON.stringify(config.levers)}`;
  let p = models.get(key);
  if (!p) {
    p = (async () => {
      const t = performance.now();
      const w = await Whisper.load(model, config.modelDir, encoderWindow(model, config.encoderWindow, config.levers), config.levers, {
        cacheDir: cacheDir(),
        warn: (message) => log('warn', message),
      });
      log('info', `Whisper ${model} (${config.encoderWindow} window) loaded in ${Math.round(performance.now() - t)} ms${w.cachedEdits ? ' (prepared models from the cache)' : ''}`);
      return w;
    })();
    models.set(key, p);
    // A failed load is not cached: fixing the files and asking again works.
    p.catch(() => models.delete(key));
  }
  return p;
}

function cacheDir(): string {
  return config.cacheDir ?? defaultCacheDir();
}

function vad(): Promise<SileroVad> {
  const sequence = config.levers.vadSequence ?? DEFAULT_LEVERS.vadSequence;
  let p = vadModels.get(sequence);
  if (!p) {
    p = SileroVad.load(undefined, cacheDir(), config.levers);
    vadModels.set(sequence, p);
    // A failed load is not kept: fixing the file and asking again works.
    p.catch(() => vadModels.delete(sequence));
  }
  return p;
}

function segmenterOptions() {
  return {
    threshold: config.vadThreshold,
    hangoverMs: config.hangoverMs,
    preRollMs: config.preRollMs,
    maxUtteranceMs: config.maxUtteranceMs,
  };
}

function applyConfig(next: EngineConfig): void {
  if (next.model !== undefined && !isModelName(next.model)) {
    throw new EngineError(EngineErrorCode.UnknownModel, `Unknown model "${next.model}": choose tiny or base.`);
  }
  if (next.encoderWindow !== undefined && next.encoderWindow !== 'variable' && next.encoderWindow !== 'full') {
    throw new EngineError(EngineErrorCode.InvalidParams, `encoderWindow must be "variable" or "full", not ${next.encoderWindow}.`);
  }
  if (next.vadThreshold !== undefined && !(next.vadThreshold > 0 && next.vadThreshold < 1)) {
    throw new EngineError(EngineErrorCode.InvalidParams, `vadThreshold must be between 0 and 1, not ${next.vadThreshold}.`);
  }
  for (const key of ['hangoverMs', 'preRollMs', 'maxUtteranceMs'] as const) {
    const v = next[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new EngineError(EngineErrorCode.InvalidParams, `${key} must be a number of milliseconds >= 0, not ${v}.`);
    }
  }
  if (next.levers !== undefined) checkLevers(next.levers);
  if (next.modelDir !== config.modelDir && next.modelDir !== undefined) models.clear();
  config = { ...config, ...Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) };
}

function checkLevers(l: EngineLevers): void {
  const bad = (what: string) => new EngineError(EngineErrorCode.InvalidParams, `levers.${what}`);
  if (l.projection !== undefined && !['int8', 'fp32', 'export'].includes(l.projection)) throw bad(`projection must be "int8", "fp32" or "export", not ${l.projection}.`);
  if (l.memoryArena !== undefined && !['none', 'decoder', 'all'].includes(l.memoryArena)) throw bad(`memoryArena must be "none", "decoder" or "all", not ${l.memoryArena}.`);
  for (const key of ['timestamps', 'spinning', 'mappedWeights', 'reclaim', 'vadSequence'] as const) {
    if (l[key] !== undefined && typeof l[key] !== 'boolean') throw bad(`${key} must be true or false, not ${l[key]}.`);
  }
  if (l.threads !== undefined && !(Number.isInteger(l.threads) && l.threads >= 1 && l.threads <= 64)) throw bad(`threads must be a whole number from 1 to 64, not ${l.threads}.`);
}

connection.onRequest(Requests.initialize, handle(async ({ config: requested }) => {
  applyConfig(requested ?? {});
  setState('loading');
  const t0 = performance.now();
  try {
    const [whisper] = await Promise.all([whisperFor(config.model), vad()]);
    whisper.checkLanguage(config.language);
    const result: InitializeResult = {
      protocolVersion: PROTOCOL_VERSION,
      model: whisper.name,
      language: config.language,
      loadMs: performance.now() - t0,
      cachedEdits: whisper.cachedEdits,
    };
    return result;
  } finally {
    setState(session ? 'listening' : 'idle');
  }
}));

connection.onRequest(Requests.configure, handle(async (next) => {
  applyConfig(next);
}));

connection.onRequest(Requests.transcribeFile, handle(async ({ path, model, language }) => {
  const [whisper, v] = await Promise.all([whisperFor(model), vad()]);
  const result = await transcribeFile(path, whisper, v.clone(), language ?? config.language, segmenterOptions());
  metrics.clippedSamples += result.ingest.clippedSamples;
  for (const s of result.segments) metrics.recordAll(s.timings);
  return result;
}));

connection.onRequest(Requests.start, handle(async ({ source }) => {
  if (session) throw new EngineError(EngineErrorCode.Busy, 'Already listening: stop the current dictation first.');
  if (source.kind === 'microphone' && source.backend !== undefined && !CAPTURE_BACKENDS.includes(source.backend)) {
    throw new EngineError(EngineErrorCode.InvalidParams, `Unknown capture backend "${source.backend}": choose ${CAPTURE_BACKENDS.join(' or ')}.`);
  }
  const fileSamples = source.kind === 'file' ? readAudioFile(source.path).samples : undefined;
  const [whisper, v] = await Promise.all([whisperFor(config.model), vad()]);
  whisper.checkLanguage(config.language);
  const id = nextSessionId++;
  const s = new ListenSession(id, whisper, v.clone(), config.language, segmenterOptions(), metrics, capture, {
    state: (state, device) => setState(state, id, device),
    final: (n) => void connection.sendNotification(Notifications.final, n),
    level: (n) => void connection.sendNotification(Notifications.level, n),
    partial: (n) => void connection.sendNotification(Notifications.partial, n),
    error: (e) => void connection.sendNotification(Notifications.error, { code: e.code, message: e.message, sessionId: id }),
  }, { partials: config.partials, speculate: config.speculative });
  session = s;
  void s.done.then((end: SessionEndNotification) => {
    if (session === s) session = undefined;
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

connection.onRequest(Requests.listDevices, handle(async ({ backend }) => {
  const b = backend ?? DEFAULT_CAPTURE_BACKEND;
  if (!CAPTURE_BACKENDS.includes(b)) {
    throw new EngineError(EngineErrorCode.InvalidParams, `Unknown capture backend "${b}": choose ${CAPTURE_BACKENDS.join(' or ')}.`);
  }
  return { backend: b, devices: await capture.listDevices(b) };
}));

connection.onRequest(Requests.shutdown, handle(async () => {
  await session?.stop();
  await capture.dispose();
  for (const p of [...models.values(), ...vadModels.values()]) await (await p.catch(() => undefined))?.release();
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
