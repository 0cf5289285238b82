/**
 * Cold start (per model): from forking the engine (EngineClient.start) to its `state` notification 'listening' for a
 * session started as soon as `initialize` resolves, as Start Dictation does on a fresh engine. The session plays 1 s
 * of silence from a file (so no device open time is included); it is stopped and the engine shut down after each run.
 * The first run gets an empty prepared-model cache (VOICEFLOW_CACHE_DIR set to a new temporary folder): the first
 * start ever, which prepares the cache. The BENCH_COLD_RUNS runs after it share that folder. The model files are in
 * the OS page cache in every run (the bench has just read them): this is a new process, not a cold disk.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DOWNLOAD_BYTES, ModelName } from '../src/protocol';
import { downloadedModelDir } from '../src/engine/models/pins';
import { writeAudio } from './clips';
import { startFileSession } from './dictation';
import { EngineRunner, withStderr } from './engineRunner';
import { percentile } from './stats';

const SILENCE_SECONDS = 1;

export interface ColdStartRun {
  forkToListeningMs: number;
  /** initialize's loadMs: verifying and loading (or first preparing) the models. */
  loadMs: number;
  cachedEdits: boolean;
}

export interface ColdStartResult {
  model: ModelName;
  /** With an empty cache: prepares it. */
  firstStart: ColdStartRun;
  /** With the cache the first start filled. */
  runs: ColdStartRun[];
  forkToListeningMs: { p50: number; max: number };
  loadMs: { p50: number; max: number };
}

const progress = (s: string) => process.stderr.write(s);

export async function measureColdStart(enginePath: string, model: ModelName, runs: number, tmpDir: string): Promise<ColdStartResult> {
  const silence = path.join(tmpDir, 'cold-start-silence.wav');
  writeAudio(silence, new Float32Array(SILENCE_SECONDS * 16000));
  const cacheDir = fs.mkdtempSync(path.join(tmpDir, `cache-${model}-`));
  progress(`[cold start] ${model}: first start with an empty model cache, then ${runs} starts...\n`);
  const firstStart = await coldStart(enginePath, model, cacheDir, silence);
  const all: ColdStartRun[] = [];
  for (let i = 0; i < runs; i++) all.push(await coldStart(enginePath, model, cacheDir, silence));
  const stat = (v: number[]) => ({ p50: percentile(v, 50), max: Math.max(...v) });
  return {
    model,
    firstStart,
    runs: all,
    forkToListeningMs: stat(all.map((r) => r.forkToListeningMs)),
    loadMs: stat(all.map((r) => r.loadMs)),
  };
}

async function coldStart(enginePath: string, model: ModelName, cacheDir: string, silence: string): Promise<ColdStartRun> {
  const t0 = performance.now();
  // A downloaded model (small) is read from where `voiceflow download` put it: only the prepared-model cache is empty.
  const modelDir = DOWNLOAD_BYTES[model] ? path.dirname(downloadedModelDir(model)) : undefined;
  const engine = await EngineRunner.start(enginePath, { model, ...(modelDir ? { modelDir } : {}) }, { VOICEFLOW_CACHE_DIR: cacheDir });
  let listeningAt: number | undefined;
  const sub = engine.client.onState((s) => {
    if (s.state === 'listening') listeningAt ??= performance.now();
  });
  try {
    const { ended } = await startFileSession(engine.client, silence, SILENCE_SECONDS);
    // The engine sends the state before it answers `start`, and the client handles messages in order.
    if (listeningAt === undefined) throw new Error("start answered before the 'listening' state notification");
    await engine.client.stop();
    await ended;
    return { forkToListeningMs: listeningAt - t0, loadMs: engine.init.loadMs, cachedEdits: engine.init.cachedEdits };
  } catch (err) {
    throw new Error(withStderr(`The cold start of ${model} failed: ${(err as Error).message}`, engine.stderrTail), { cause: err });
  } finally {
    sub.dispose();
    await engine.shutdown();
  }
}
