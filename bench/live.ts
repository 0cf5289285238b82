/**
 * The live section (tiny and base): dictation through a real capture path. A private PulseAudio whose null sink is the
 * default microphone (test/fakeMicrophone.ts) hears every speech clip with a reference, played at real-time pace with
 * 2.5 s of silence after each clip; a separate engine, started as the extension starts it (default settings: 600 ms
 * hangover, partials and the speculative final pass on, pvrecorder), listens to it. Then the microphone hears nothing for 30 s and the engine's idle CPU is read.
 */
import { FakeMicrophone, sleep } from '../eval/fakeMicrophone';
import { ErrorNotification, ModelName, Percentiles, SessionEndNotification } from '../src/protocol';
import { ENGINE_SETTINGS } from '../src/settings';
import { Clip, LEAD_IN_MS, PAUSE_MS, loadAudio16k } from './clips';
import { Contention } from './contention';
import { DictationFigures, LiveUtterance, SessionRecorder, dictationFigures } from './dictation';
import { EngineRunner, withStderr } from './engineRunner';

/** The engine's default hangover (src/settings.ts); the live engines are initialized with defaults only. */
export const LIVE_HANGOVER_MS = ENGINE_SETTINGS.hangoverMs.default;
const SESSION_END_TIMEOUT_MS = 10000;

export interface LiveResult extends DictationFigures {
  model: ModelName;
  hangoverMs: number;
  device: string;
  clips: string[];
  speechSeconds: number;
  pauseMs: number;
  /** Every final of the speech part, empty (rejected) ones included, in arrival order. */
  utterances: LiveUtterance[];
  /**
   * How long a frame waited between its capture and the VAD, over the speech part (the engine's `captureMs`: frames
   * the VAD's energy gate hears, or inside an utterance), ms.
   */
  captureToVadMs?: Percentiles;
  idle: {
    seconds: number;
    /** Engine CPU over the silent window, percent of one core. */
    cpuPercent: number;
    rssBytes: number;
    /** Non-empty finals during the silent window (should be none). */
    finals: string[];
  };
  sessionEnd?: SessionEndNotification;
  errors: ErrorNotification[];
  wallMs: number;
  /** CPU other processes used during the live section (Linux). */
  contention?: Contention;
}

export type LiveOutcome = LiveResult | { skipped: string };

export function liveSkipped(o: LiveOutcome | undefined): o is { skipped: string } {
  return o !== undefined && 'skipped' in o;
}

const progress = (s: string) => process.stderr.write(s);

export async function measureLive(enginePath: string, model: ModelName, clips: readonly Clip[], idleSeconds: number): Promise<LiveOutcome> {
  if (!FakeMicrophone.available()) {
    return { skipped: 'pulseaudio and pacat are not installed (apt packages pulseaudio pulseaudio-utils libasound2-plugins)' };
  }
  const speech = clips.filter((c) => c.kind === 'speech' && c.reference !== undefined);
  const audio = speech.map((c) => loadAudio16k(c.path));
  const t0 = performance.now();
  const mic = new FakeMicrophone();
  try {
    try {
      await mic.start();
    } catch (err) {
      return { skipped: (err as Error).message };
    }
    const engine = await EngineRunner.start(enginePath, { model }, mic.env);
    const client = engine.client;
    let current = '(before the first clip)';
    const recorder = new SessionRecorder(client, () => current);
    try {
      const { device } = await client.start({ source: { kind: 'microphone' } });
      await sleep(LEAD_IN_MS);
      for (let i = 0; i < speech.length; i++) {
        current = speech[i].name;
        progress(`[live ${model}] ${speech[i].name}\n`);
        await mic.play(audio[i]);
        await sleep(PAUSE_MS);
      }
      const spoken = recorder.finals.length;
      current = '(silence)';
      progress(`[live ${model}] the microphone hears silence for ${idleSeconds} s (idle CPU)...\n`);
      const captureToVadMs = (await client.metrics()).stages.captureMs; // also resets the CPU window
      await sleep(idleSeconds * 1000);
      const m = await client.metrics();
      if (!recorder.sessionEnd) await client.stop();
      const deadline = Date.now() + SESSION_END_TIMEOUT_MS;
      while (!recorder.sessionEnd && Date.now() < deadline) await sleep(50);

      const utterances = recorder.utterances(0, spoken);
      const { sessionEnd, errors } = recorder;
      return {
        model,
        hangoverMs: LIVE_HANGOVER_MS,
        device,
        clips: speech.map((c) => c.name),
        speechSeconds: audio.reduce((s, a) => s + a.length / 16000, 0),
        pauseMs: PAUSE_MS,
        utterances,
        ...(captureToVadMs ? { captureToVadMs } : {}),
        ...dictationFigures(
          utterances,
          speech.map((c) => c.reference!),
        ),
        idle: {
          seconds: idleSeconds,
          cpuPercent: m.cpuPercent,
          rssBytes: m.rssBytes,
          finals: recorder
            .utterances(spoken)
            .map((u) => u.text)
            .filter(Boolean),
        },
        ...(sessionEnd ? { sessionEnd } : {}),
        errors,
        wallMs: performance.now() - t0,
      };
    } catch (err) {
      if (!recorder.sessionEnd) await client.stop().catch(() => undefined);
      throw new Error(withStderr(`The live section (${model}) failed: ${(err as Error).message}`, engine.stderrTail), { cause: err });
    } finally {
      recorder.dispose();
      await engine.shutdown();
    }
  } finally {
    await mic.dispose();
  }
}
