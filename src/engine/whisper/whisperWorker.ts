/**
 * The worker thread that holds one Whisper model (whisperThread.ts): it loads it, runs each pass it is sent, in order
 * (Whisper serializes them), and releases it. Its onnxruntime calls block this thread, not the engine's main loop.
 */
import '../telemetryOff';
import { parentPort } from 'worker_threads';
import { EngineErrorCode } from '../../protocol';
import { EngineError } from '../errors';
import { reverifyTrusted } from '../models/fileStamp';
import { Whisper } from './whisper';
import { serializeError, WhisperCommand, WhisperEvent } from './whisperThread';

const post = (e: WhisperEvent) => parentPort!.postMessage(e);
let whisper: Whisper | undefined;

parentPort!.on('message', (cmd: WhisperCommand) => {
  switch (cmd.type) {
    case 'load':
      Whisper.load(cmd.name, cmd.modelDir, cmd.window, cmd.levers, {
        cacheDir: cmd.cacheDir,
        warn: (message) => post({ type: 'warn', message }),
      }).then(
        (w) => {
          whisper = w;
          post({ type: 'loaded', name: w.name, cachedEdits: w.cachedEdits });
        },
        (err: unknown) => post({ type: 'loaded', error: serializeError(err) }),
      );
      break;
    case 'transcribe':
      if (!whisper) {
        post({
          type: 'result',
          id: cmd.id,
          error: serializeError(new EngineError(EngineErrorCode.InferenceFailed, 'No model is loaded.')),
        });
        break;
      }
      whisper.transcribe(cmd.audio, cmd.language, cmd.options).then(
        (result) => post({ type: 'result', id: cmd.id, result }),
        (err: unknown) => post({ type: 'result', id: cmd.id, error: serializeError(err) }),
      );
      break;
    case 'reverify':
      reverifyTrusted().then(
        (problems) => post({ type: 'reverified', id: cmd.id, problems }),
        (err: unknown) =>
          post({ type: 'reverified', id: cmd.id, problems: [`Re-verifying the model files failed: ${serializeError(err).message}`] }),
      );
      break;
    case 'listenFor':
      whisper?.listenFor(cmd.words);
      break;
    case 'release':
      void (whisper?.release() ?? Promise.resolve()).finally(() => {
        whisper = undefined;
        post({ type: 'released' });
      });
      break;
  }
});
