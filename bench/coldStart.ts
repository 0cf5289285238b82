/**
 * Cold start (per model): from forking the engine (EngineClient.start) to its `state` notification 'listening' for a
 * session started as soon as `initialize` resolves, as Start Dictation does on a fresh engine. The session plays a
 * file at real-time pace (so no device open time is included): a 1-3 s speech clip dictated as the live sections do
 * (`writeDictation`: 1 s of silence before, 2.5 s after), the user's first words after Start Dictation; the figures
 * of that first utterance (its first partial, the felt latency and the final) show what a fresh model costs before
 * its passes are planned (whisper.ts, `warmUp`). The session ends with the file and the engine is shut down after each run.
 * The first run gets an empty prepared-model cache (VOICEFLOW_CACHE_DIR set to a new temporary folder): the first
 * start ever, which prepares the cache. The BENCH_COLD_RUNS runs after it share that folder. The model files are in
 * the OS page cache in every run (the bench has just read them): this is a new process, not a cold disk.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DOWNLOAD_BYTES, ModelName } from '../src/protocol';
import { downloadedModelDir } from '../src/engine/models/pins';
import { Clip, writeDictation } from './clips';
import { SessionRecorder, startFileSession } from './dictation';
import { EngineRunner, withStderr } from './engineRunner';
import { percentile } from './stats';

/** The first utterance of a fresh engine. */
export interface FirstUtterance {
  text: string;
  /** Speech start to its first partial with text (absent: none before the final). */
  firstPartialMs?: number;
  /** End of speech to text in the editor (provisional text where the final kept it). */
  feltMs: number;
  /** End of speech to the final. */
  finalMs: number;
}

export interface ColdStartRun {
  forkToListeningMs: number;
  /** initialize's loadMs: verifying and loading (or first preparing) the models. */
  loadMs: number;
  cachedEdits: boolean;
  firstUtterance?: FirstUtterance;
}

export interface ColdStartResult {
  model: ModelName;
  /** With an empty cache: prepares it. */
  firstStart: ColdStartRun;
  /** With the cache the first start filled. */
  runs: ColdStartRun[];
  forkToListeningMs: { p50: number; max: number };
  loadMs: { p50: number; max: number };
  /** The clip said first, and the p50 of its figures over the runs with the cache filled. */
  firstUtterance: { clip: string; firstPartialMs?: number; feltMs?: number; finalMs?: number };
}

const progress = (s: string) => process.stderr.write(s);

export async function measureColdStart(
  enginePath: string,
  model: ModelName,
  runs: number,
  tmpDir: string,
  speech: Clip,
): Promise<ColdStartResult> {
  const { path: file, seconds } = writeDictation(path.join(tmpDir, 'cold-start-first-words.wav'), [speech]);
  const cacheDir = fs.mkdtempSync(path.join(tmpDir, `cache-${model}-`));
  progress(`[cold start] ${model}: first start with an empty model cache, then ${runs} starts (first words: ${speech.name})...\n`);
  const firstStart = await coldStart(enginePath, model, cacheDir, file, seconds);
  const all: ColdStartRun[] = [];
  for (let i = 0; i < runs; i++) all.push(await coldStart(enginePath, model, cacheDir, file, seconds));
  const stat = (v: number[]) => ({ p50: percentile(v, 50), max: Math.max(...v) });
  const p50 = (v: (number | undefined)[]) => {
    const known = v.filter((x): x is number => x !== undefined);
    return known.length ? percentile(known, 50) : undefined;
  };
  const first = all.map((r) => r.firstUtterance);
  return {
    model,
    firstStart,
    runs: all,
    forkToListeningMs: stat(all.map((r) => r.forkToListeningMs)),
    loadMs: stat(all.map((r) => r.loadMs)),
    firstUtterance: {
      clip: speech.name,
      firstPartialMs: p50(first.map((u) => u?.firstPartialMs)),
      feltMs: p50(first.map((u) => u?.feltMs)),
      finalMs: p50(first.map((u) => u?.finalMs)),
    },
  };
}

async function coldStart(enginePath: string, model: ModelName, cacheDir: string, file: string, seconds: number): Promise<ColdStartRun> {
  const t0 = performance.now();
  // A downloaded model (small) is read from where `voiceflow download` put it: only the prepared-model cache is empty.
  const modelDir = DOWNLOAD_BYTES[model] ? path.dirname(downloadedModelDir(model)) : undefined;
  const engine = await EngineRunner.start(enginePath, { model, ...(modelDir ? { modelDir } : {}) }, { VOICEFLOW_CACHE_DIR: cacheDir });
  let listeningAt: number | undefined;
  const sub = engine.client.onState((s) => {
    if (s.state === 'listening') listeningAt ??= performance.now();
  });
  const recorder = new SessionRecorder(engine.client, () => 'first words');
  try {
    const { ended } = await startFileSession(engine.client, file, seconds);
    // The engine sends the state before it answers `start`, and the client handles messages in order.
    if (listeningAt === undefined) throw new Error("start answered before the 'listening' state notification");
    await ended;
    const u = recorder.utterances().find((x) => x.text !== '');
    return {
      forkToListeningMs: listeningAt - t0,
      loadMs: engine.init.loadMs,
      cachedEdits: engine.init.cachedEdits,
      ...(u
        ? {
            firstUtterance: {
              text: u.text,
              ...(u.firstPartialMs !== undefined ? { firstPartialMs: u.firstPartialMs } : {}),
              feltMs: u.feltMs,
              finalMs: u.endOfSpeechToTextMs,
            },
          }
        : {}),
    };
  } catch (err) {
    throw new Error(withStderr(`The cold start of ${model} failed: ${(err as Error).message}`, engine.stderrTail), { cause: err });
  } finally {
    sub.dispose();
    recorder.dispose();
    await engine.shutdown();
  }
}
