/**
 * The streaming A/B (tiny): the live path without a device. Every speech clip with a reference is written as one WAV
 * (1 s of silence first, 2.5 s after each clip) and played through a `listen` session at real-time pace, once per
 * setting of the speculative final pass and of partials, each by its own engine, one engine at a time.
 */
import * as path from 'path';
import { EARLY_CLOSE_PROBABILITY } from '../src/engine/live/streaming';
import { EngineConfig, ErrorNotification, ModelName, Percentiles, SessionEndNotification } from '../src/protocol';
import { Clip, clipAt, writeDictation } from './clips';
import { Contention } from './contention';
import { DictationFigures, LiveUtterance, SessionRecorder, dictationFigures, startFileSession } from './dictation';
import { EngineRunner, withStderr } from './engineRunner';

export interface StreamingSetting {
  label: string;
  config: Pick<EngineConfig, 'speculative' | 'partials' | 'levers' | 'hangoverMs' | 'postRollMs'>;
}

export const STREAMING_SETTINGS: readonly StreamingSetting[] = [
  { label: 'default (speculative pass and partials on)', config: {} },
  { label: 'hangoverMs: 600 (the default before provisional text)', config: { hangoverMs: 600 } },
  { label: 'postRollMs: 200 (the default before provisional text)', config: { postRollMs: 200 } },
  { label: `levers.earlyClose: ${EARLY_CLOSE_PROBABILITY}`, config: { levers: { earlyClose: EARLY_CLOSE_PROBABILITY } } },
  { label: 'levers.continuity: true', config: { levers: { continuity: true } } },
  { label: 'speculative: false', config: { speculative: false } },
  { label: "levers.whisperThread: false (Whisper on the engine's main thread)", config: { levers: { whisperThread: false } } },
  { label: 'partials: false', config: { partials: false } },
  { label: 'speculative: false, partials: false', config: { speculative: false, partials: false } },
];

export interface StreamingSettingResult extends StreamingSetting, DictationFigures {
  /** Every final, empty (rejected) ones included, in arrival order; `clip` is the clip at the utterance's middle. */
  utterances: LiveUtterance[];
  sessionEnd: SessionEndNotification;
  errors: ErrorNotification[];
  /** A heard frame's wait between capture and the VAD (the engine's `captureMs`), ms. */
  captureToVadMs?: Percentiles;
}

export interface StreamingAbResult {
  model: ModelName;
  clips: string[];
  /** Length of the WAV played, silences included. */
  seconds: number;
  settings: StreamingSettingResult[];
  /** CPU other processes used during the A/B (Linux). */
  contention?: Contention;
}

const progress = (s: string) => process.stderr.write(s);

export async function measureStreaming(
  enginePath: string,
  model: ModelName,
  clips: readonly Clip[],
  tmpDir: string,
): Promise<StreamingAbResult> {
  const speech = clips.filter((c) => c.kind === 'speech' && c.reference !== undefined);
  const dictation = writeDictation(path.join(tmpDir, 'streaming-ab.wav'), speech);
  const references = speech.map((c) => c.reference!);
  const settings: StreamingSettingResult[] = [];
  for (const s of STREAMING_SETTINGS) {
    progress(`[streaming] ${model}, ${s.label}: ${Math.round(dictation.seconds)} s at real-time pace...\n`);
    const engine = await EngineRunner.start(enginePath, { model, ...s.config });
    const recorder = new SessionRecorder(engine.client, (n) => clipAt(dictation.spans, (n.startMs + n.endMs) / 2));
    try {
      const { ended } = await startFileSession(engine.client, dictation.path, dictation.seconds);
      const sessionEnd = await ended;
      const captureToVadMs = (await engine.client.metrics()).stages.captureMs;
      const utterances = recorder.utterances();
      settings.push({
        ...s,
        ...dictationFigures(utterances, references),
        utterances,
        sessionEnd,
        errors: recorder.errors,
        ...(captureToVadMs ? { captureToVadMs } : {}),
      });
    } catch (err) {
      throw new Error(withStderr(`The streaming A/B (${s.label}) failed: ${(err as Error).message}`, engine.stderrTail), { cause: err });
    } finally {
      recorder.dispose();
      await engine.shutdown();
    }
  }
  return { model, clips: speech.map((c) => c.name), seconds: dictation.seconds, settings };
}
