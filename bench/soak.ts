/**
 * The soak (tiny): engine memory over minutes of dictation. One engine with the default config listens to the speech
 * clips (1 s of silence first, 2.5 s after each) played from a file at real-time pace, sessions back to back until
 * BENCH_SOAK_MINUTES have passed; `metrics` every 10 s gives its RSS.
 * One session per pass over the clips, not one long file: a file source holds all its samples in memory twice (in the
 * engine and in its capture worker, about 7.7 MB per minute of audio), which would grow with the soak's length.
 */
import * as path from 'path';
import { sleep } from '../test/fakeMicrophone';
import { ErrorNotification, ModelName } from '../src/protocol';
import { Clip, writeDictation } from './clips';
import { Contention } from './contention';
import { startFileSession } from './dictation';
import { EngineRunner, withStderr } from './engineRunner';

const SAMPLE_MS = 10000;
/** The first figure is read this long into the soak, once the models and the first buffers have settled. */
const SETTLED_MS = 60000;
const MINUTE_MS = 60000;

export interface SoakSample {
  /** Since the first session started. */
  atMs: number;
  rssBytes: number;
  /** Non-empty finals so far. */
  utterances: number;
}

export interface SoakResult {
  model: ModelName;
  minutes: number;
  clips: string[];
  /** Length of one pass (one session), silences included. */
  passSeconds: number;
  sessions: number;
  samples: SoakSample[];
  /** The first sample at or after 1 minute; absent for a shorter soak. */
  rssAfter1MinBytes?: number;
  /** The last sample, after the last session ended. */
  rssEndBytes: number;
  rssMaxBytes: number;
  /** Least-squares slope of RSS over the samples of the second half, MB per minute; NaN with fewer than 2. */
  growthMbPerMin: number;
  utterances: number;
  errors: ErrorNotification[];
  /** CPU other processes used during the soak (Linux). */
  contention?: Contention;
}

const progress = (s: string) => process.stderr.write(s);

export async function measureSoak(enginePath: string, model: ModelName, clips: readonly Clip[], minutes: number, tmpDir: string): Promise<SoakResult> {
  const speech = clips.filter((c) => c.kind === 'speech');
  const pass = writeDictation(path.join(tmpDir, 'soak-pass.wav'), speech);
  const engine = await EngineRunner.start(enginePath, { model });
  const client = engine.client;
  let utterances = 0;
  const errors: ErrorNotification[] = [];
  const subs = [
    client.onFinal((n) => {
      if (n.text.trim()) utterances++;
    }),
    client.onError((e) => errors.push(e)),
  ];
  const samples: SoakSample[] = [];
  const t0 = performance.now();
  const endAt = t0 + minutes * MINUTE_MS;
  let reported = 0;
  const sample = async () => {
    const { rssBytes } = await client.metrics();
    const atMs = performance.now() - t0;
    samples.push({ atMs, rssBytes, utterances });
    if (Math.floor(atMs / MINUTE_MS) > reported) {
      reported = Math.floor(atMs / MINUTE_MS);
      progress(`[soak] ${reported}/${minutes} min: RSS ${Math.round(rssBytes / 1048576)} MB, ${utterances} utterances\n`);
    }
  };
  // Samples are taken one after another, whatever the sessions do; the first failure ends the soak.
  let sampling = Promise.resolve();
  let failure: Error | undefined;
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch((err: Error) => {
      failure ??= err;
    });
  }, SAMPLE_MS);
  let sessions = 0;
  try {
    progress(`[soak] ${model}: ${minutes} min of dictation, ${Math.round(pass.seconds)} s per session...\n`);
    while (performance.now() < endAt && !failure) {
      const { ended } = await startFileSession(client, pass.path, pass.seconds);
      sessions++;
      const timeUp = sleep(endAt - performance.now()).then(() => 'time up' as const);
      if ((await Promise.race([ended, timeUp])) === 'time up') await client.stop();
      await ended;
    }
    clearInterval(timer);
    await sampling;
    if (failure) throw failure;
    await sample();
    const after1Min = samples.find((s) => s.atMs >= SETTLED_MS);
    const last = samples[samples.length - 1];
    return {
      model,
      minutes,
      clips: speech.map((c) => c.name),
      passSeconds: pass.seconds,
      sessions,
      samples,
      ...(after1Min ? { rssAfter1MinBytes: after1Min.rssBytes } : {}),
      rssEndBytes: last.rssBytes,
      rssMaxBytes: Math.max(...samples.map((s) => s.rssBytes)),
      growthMbPerMin: slopeMbPerMinute(samples.filter((s) => s.atMs >= last.atMs / 2)),
      utterances,
      errors,
    };
  } catch (err) {
    throw new Error(withStderr(`The soak failed after ${sessions} sessions: ${(err as Error).message}`, engine.stderrTail));
  } finally {
    clearInterval(timer);
    subs.forEach((s) => s.dispose());
    await engine.shutdown();
  }
}

/** Least-squares slope of RSS (MB) against time (minutes). */
function slopeMbPerMinute(samples: readonly SoakSample[]): number {
  if (samples.length < 2) return NaN;
  const xs = samples.map((s) => s.atMs / MINUTE_MS);
  const ys = samples.map((s) => s.rssBytes / 1048576);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const sxy = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0);
  return sxy / sxx;
}
