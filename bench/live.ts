/**
 * The live section (tiny only): dictation through a real capture path. A private PulseAudio whose null sink is the
 * default microphone (test/fakeMicrophone.ts) hears every speech clip with a reference, played at real-time pace with
 * 2.5 s of silence between clips; a separate engine, started as the extension starts it (default settings: 600 ms
 * hangover, partials and the speculative final pass on, pvrecorder), listens to it. Then the microphone hears nothing for 30 s and the engine's idle CPU is read.
 */
import { FakeMicrophone, sleep } from '../test/fakeMicrophone';
import { ErrorNotification, FinalNotification, ModelName, SessionEndNotification } from '../src/protocol';
import { Clip, loadAudio16k } from './clips';
import { Contention } from './contention';
import { EngineRunner, withStderr } from './engineRunner';
import { percentile } from './stats';
import { WerResult, wordErrorRate } from './wer';

export const LIVE_MODEL: ModelName = 'tiny';
/** The engine's default hangover (src/pipeline/engine.ts); the live engine is initialized with defaults only. */
export const LIVE_HANGOVER_MS = 600;
const LEAD_IN_MS = 1000;
const PAUSE_MS = 2500;
const SESSION_END_TIMEOUT_MS = 10000;

export interface LiveUtterance {
  /** The clip that was playing (or had just played) when the final text arrived. */
  clip: string;
  text: string;
  startMs: number;
  endMs: number;
  endOfSpeechToTextMs: number;
  processingMs: number;
  /** The final came from the pass the engine started during the hangover (timings.speculative). */
  speculative: boolean;
  rejected?: string;
}

export interface LiveResult {
  model: ModelName;
  hangoverMs: number;
  device: string;
  clips: string[];
  speechSeconds: number;
  pauseMs: number;
  /** Every final of the speech part, empty (rejected) ones included, in arrival order. */
  utterances: LiveUtterance[];
  /** Over the non-empty utterances. */
  nonEmpty: number;
  endOfSpeechToTextMs: { p50: number; p95: number };
  processingMs: { p50: number; p95: number };
  /** All non-empty final texts concatenated, against all played references concatenated. */
  wer: WerResult;
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

export async function measureLive(enginePath: string, clips: readonly Clip[], idleSeconds: number): Promise<LiveOutcome> {
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
    const engine = await EngineRunner.start(enginePath, { model: LIVE_MODEL }, mic.env);
    const client = engine.client;
    const finals: { n: FinalNotification; clip: string }[] = [];
    const errors: ErrorNotification[] = [];
    let current = '(before the first clip)';
    let sessionEnd: SessionEndNotification | undefined;
    const subs = [
      client.onFinal((n) => finals.push({ n, clip: current })),
      client.onError((e) => errors.push(e)),
      client.onSessionEnd((e) => (sessionEnd = e)),
    ];
    try {
      const { device } = await client.start({ source: { kind: 'microphone' } });
      await sleep(LEAD_IN_MS);
      for (let i = 0; i < speech.length; i++) {
        current = speech[i].name;
        progress(`[live] ${speech[i].name}\n`);
        await mic.play(audio[i]);
        await sleep(PAUSE_MS);
      }
      const spoken = finals.length;
      current = '(silence)';
      progress(`[live] the microphone hears silence for ${idleSeconds} s (idle CPU)...\n`);
      await client.metrics(); // resets the CPU window
      await sleep(idleSeconds * 1000);
      const m = await client.metrics();
      if (!sessionEnd) await client.stop();
      const deadline = Date.now() + SESSION_END_TIMEOUT_MS;
      while (!sessionEnd && Date.now() < deadline) await sleep(50);

      const utterances: LiveUtterance[] = finals.slice(0, spoken).map(({ n, clip }) => ({
        clip,
        text: n.text.trim(),
        startMs: n.startMs,
        endMs: n.endMs,
        endOfSpeechToTextMs: n.endOfSpeechToTextMs,
        processingMs: n.processingMs,
        speculative: n.timings.speculative === 1,
        ...(n.rejected ? { rejected: n.rejected } : {}),
      }));
      const heard = utterances.filter((u) => u.text !== '');
      const eos = heard.map((u) => u.endOfSpeechToTextMs);
      const proc = heard.map((u) => u.processingMs);
      return {
        model: LIVE_MODEL,
        hangoverMs: LIVE_HANGOVER_MS,
        device,
        clips: speech.map((c) => c.name),
        speechSeconds: audio.reduce((s, a) => s + a.length / 16000, 0),
        pauseMs: PAUSE_MS,
        utterances,
        nonEmpty: heard.length,
        endOfSpeechToTextMs: { p50: percentile(eos, 50), p95: percentile(eos, 95) },
        processingMs: { p50: percentile(proc, 50), p95: percentile(proc, 95) },
        wer: wordErrorRate([{ reference: speech.map((c) => c.reference!).join(' '), hypothesis: heard.map((u) => u.text).join(' ') }]),
        idle: {
          seconds: idleSeconds,
          cpuPercent: m.cpuPercent,
          rssBytes: m.rssBytes,
          finals: finals.slice(spoken).map(({ n }) => n.text.trim()).filter(Boolean),
        },
        ...(sessionEnd ? { sessionEnd } : {}),
        errors,
        wallMs: performance.now() - t0,
      };
    } catch (err) {
      if (!sessionEnd) await client.stop().catch(() => undefined);
      throw new Error(withStderr(`The live section failed: ${(err as Error).message}`, engine.stderrTail));
    } finally {
      subs.forEach((s) => s.dispose());
      await engine.shutdown();
    }
  } finally {
    await mic.dispose();
  }
}
