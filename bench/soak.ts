/**
 * The soak (tiny): words and memory over minutes of dictation. One engine with the default config listens to the
 * speech clips (1 s of silence first, 2.5 s after each) played from a file at real-time pace, sessions back to back
 * until BENCH_SOAK_MINUTES have passed; `metrics` every 10 s gives its RSS, and each whole session's finals are
 * aligned with the clips' references: words lost (deletions) and words invented (insertions).
 * One session per pass over the clips, not one long file: a file source holds all its samples in memory twice (in the
 * engine and in its capture worker, about 7.7 MB per minute of audio), which would grow with the soak's length.
 */
import * as path from 'path';
import { sleep } from '../eval/fakeMicrophone';
import { ErrorNotification, ModelName } from '../src/protocol';
import { Clip, writeDictation } from './clips';
import { alignWords, normalizeWords, WordAlignment } from '../eval/wer';
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
  /** Summed over the sessions that ran to their end (the last one, cut by the time limit, is not counted). */
  words: WordAlignment;
  /** Sessions whose words were counted, and those with a word lost or invented (with their text, for the report). */
  scoredSessions: number;
  sessionsWithErrors: { session: number; lost: number; invented: number; text: string }[];
  errors: ErrorNotification[];
  /** CPU other processes used during the soak (Linux). */
  contention?: Contention;
}

const progress = (s: string) => process.stderr.write(s);

export async function measureSoak(
  enginePath: string,
  model: ModelName,
  clips: readonly Clip[],
  minutes: number,
  tmpDir: string,
): Promise<SoakResult> {
  // Clips with a reference, so that every word can be counted.
  const speech = clips.filter((c) => c.kind === 'speech' && c.reference !== undefined);
  const pass = writeDictation(path.join(tmpDir, 'soak-pass.wav'), speech);
  const reference = normalizeWords(speech.map((c) => c.reference).join(' '));
  const words: WordAlignment = { referenceWords: 0, hits: 0, substitutions: 0, deletions: 0, insertions: 0 };
  const sessionsWithErrors: SoakResult['sessionsWithErrors'] = [];
  let scoredSessions = 0;
  let finals: string[] = [];
  const engine = await EngineRunner.start(enginePath, { model });
  const client = engine.client;
  let utterances = 0;
  const errors: ErrorNotification[] = [];
  const subs = [
    client.onFinal((n) => {
      if (n.text.trim()) utterances++;
      finals.push(n.text);
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
      finals = [];
      const { ended } = await startFileSession(client, pass.path, pass.seconds);
      sessions++;
      const timeUp = sleep(endAt - performance.now()).then(() => 'time up' as const);
      if ((await Promise.race([ended, timeUp])) === 'time up') {
        await client.stop();
        await ended;
        break;
      }
      const end = await ended;
      if (end.reason !== 'eof') continue;
      const a = alignWords(reference, normalizeWords(finals.join(' ')));
      for (const k of ['referenceWords', 'hits', 'substitutions', 'deletions', 'insertions'] as const) words[k] += a[k];
      scoredSessions++;
      if (a.deletions || a.insertions)
        sessionsWithErrors.push({ session: sessions, lost: a.deletions, invented: a.insertions, text: finals.join(' / ') });
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
      words,
      scoredSessions,
      sessionsWithErrors,
      errors,
    };
  } catch (err) {
    throw new Error(withStderr(`The soak failed after ${sessions} sessions: ${(err as Error).message}`, engine.stderrTail), { cause: err });
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
