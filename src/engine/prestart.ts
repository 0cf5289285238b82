/**
 * Imported by the engine's entry (main.ts) right after telemetryOff, before the modules that load onnxruntime: the
 * speech model's worker thread starts now, alongside the rest of the engine's start (whisper/spareWorker.ts).
 */
import { prestartWhisperWorker } from './whisper/spareWorker';

prestartWhisperWorker();
