/**
 * The speech engine's process: a Node child started with child_process.fork, spoken to over JSON-RPC (vscode-jsonrpc
 * on the fork IPC channel). This file only binds the connection to `Engine` (the lsp-sample server.ts shape). An
 * error answers the request and the engine keeps serving.
 */
// First: onnxruntime's telemetry is off before any module loads onnxruntime.
import './telemetryOff';
// Then the speech model's worker thread, so its start overlaps the engine's own.
import './prestart';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError } from 'vscode-jsonrpc/node';
import { EngineErrorCode, LogLevel, Notifications, Requests } from '../protocol';
import { asEngineError } from './errors';
import { Engine } from './engine';

if (!process.send) {
  process.stderr.write('The VoiceFlow engine runs as a child process started with child_process.fork.\n');
  process.exit(2);
}

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));

function log(level: LogLevel, message: string): void {
  void connection.sendNotification(Notifications.log, { level, message });
}

const engine = new Engine({
  log,
  state: (state, sessionId, device) => void connection.sendNotification(Notifications.state, { state, sessionId, device }),
  final: (n) => void connection.sendNotification(Notifications.final, n),
  provisional: (n) => void connection.sendNotification(Notifications.provisional, n),
  partial: (n) => void connection.sendNotification(Notifications.partial, n),
  level: (n) => void connection.sendNotification(Notifications.level, n),
  error: (n) => void connection.sendNotification(Notifications.error, n),
  sessionEnd: (n) => void connection.sendNotification(Notifications.sessionEnd, n),
  downloadProgress: (n) => void connection.sendNotification(Notifications.downloadProgress, n),
});

/** Wraps a handler so every failure is a JSON-RPC error with a code and a sentence. */
function handle<P, R>(fn: (params: P) => R | Promise<R>): (params: P) => Promise<R | ResponseError<{ code: EngineErrorCode }>> {
  return async (params: P) => {
    try {
      return await fn(params);
    } catch (err) {
      const e = asEngineError(err);
      log('error', `${e.code}: ${e.message}`);
      return new ResponseError(e.code, e.message, { code: e.code });
    }
  };
}

connection.onRequest(
  Requests.initialize,
  handle((p) => engine.initialize(p)),
);
connection.onRequest(
  Requests.configure,
  handle((p) => engine.configure(p)),
);
connection.onRequest(
  Requests.transcribeFile,
  handle((p) => engine.transcribeFile(p)),
);
connection.onRequest(
  Requests.start,
  handle((p) => engine.start(p)),
);
connection.onRequest(
  Requests.stop,
  handle(() => engine.stop()),
);
connection.onRequest(
  Requests.metrics,
  handle(() => engine.snapshot()),
);
// The client's heartbeat, answered between inference calls (each onnxruntime run holds this loop while it lasts).
connection.onRequest(Requests.ping, () => null);
connection.onRequest(
  Requests.listDevices,
  handle((p) => engine.listDevices(p)),
);
connection.onRequest(Requests.downloadModel, (p, token) => {
  const abort = new AbortController();
  token.onCancellationRequested(() => abort.abort());
  return handle((params) => engine.downloadModel(params, abort.signal))(p);
});
connection.onRequest(
  Requests.shutdown,
  handle(async () => {
    await engine.shutdown();
    setImmediate(() => process.exit(0));
  }),
);

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
