/**
 * `npm run bench`: this project's engine against the transformers.js peer on the same Whisper int8 weights.
 * Per model: every clip runs alternately (engine, peer, engine, peer, ...) after one untimed warm-up of each;
 * then WER, latency percentiles, engine memory, words hallucinated for silence and noise, and (tiny only) the
 * engine's idle CPU while listening to silence, an A/B of the engine's encoder window ('variable', the default, vs
 * 'full': a second engine run alternately with the other two), and the live section (bench/live.ts: dictation from a
 * fake PulseAudio microphone, skipped with one line where pulseaudio is not installed).
 * Prints tables and writes .bench/results.json.
 * Env: VOICEFLOW_TEST_AUDIO (audio folder), BENCH_RUNS (default 3), BENCH_MODELS (default tiny,base).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MODEL_NAMES, ModelName } from '../src/protocol';
import { contentionBetween, sampleCpu } from './contention';
import { Clip, audioDir, loadAudio16k, makeTempDir, readManifest, writeSyntheticClips } from './clips';
import { EngineRunner } from './engineRunner';
import { measureIdleCpu } from './idleCpu';
import { LIVE_MODEL, liveSkipped, measureLive } from './live';
import { PeerAsr } from './peer';
import { formatHeader, formatModel } from './report';
import { BenchResults, ClipResult, ModelResult, implRuns, summarize } from './results';

const IDLE_CPU_MODEL: ModelName = 'tiny';
/** The model whose engine also runs with encoderWindow 'full', for the A/B of the variable window. */
const WINDOW_AB_MODEL: ModelName = 'tiny';
const SILENCE_SECONDS = 30;

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'esbuild.mjs'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`Cannot find the repository root above ${from}.`);
  }
}

function parseEnv(): { runs: number; models: ModelName[] } {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS must be a whole number >= 1, not "${process.env.BENCH_RUNS}".`);
  const models = (process.env.BENCH_MODELS ?? MODEL_NAMES.join(',')).split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of models) {
    if (!(MODEL_NAMES as readonly string[]).includes(m)) throw new Error(`BENCH_MODELS: unknown model "${m}" (choose from ${MODEL_NAMES.join(', ')}).`);
  }
  return { runs, models: models as ModelName[] };
}

const progress = (s: string) => process.stderr.write(s);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** `full`, when given, is a second engine with encoderWindow 'full': it takes its turn after the peer in each round. */
async function benchClip(engine: EngineRunner, peer: PeerAsr, clip: Clip, runs: number, full?: EngineRunner): Promise<ClipResult> {
  const audio = loadAudio16k(clip.path);
  const engineWarm = await engine.transcribe(clip.path);
  const peerWarm = await timed(() => peer.transcribe(audio));
  const fullWarm = await full?.transcribe(clip.path);
  const engineRuns: { ms: number; text: string }[] = [];
  const peerRuns: { ms: number; text: string }[] = [];
  const fullRuns: { ms: number; text: string }[] = [];
  for (let i = 0; i < runs; i++) {
    engineRuns.push(await engine.transcribe(clip.path));
    const p = await timed(() => peer.transcribe(audio));
    peerRuns.push({ ms: p.ms, text: p.value });
    if (full) fullRuns.push(await full.transcribe(clip.path));
  }
  const e = implRuns(engineWarm.ms, engineRuns);
  const p = implRuns(peerWarm.ms, peerRuns);
  return {
    clip: clip.name, kind: clip.kind, seconds: clip.seconds, reference: clip.reference, engine: e, peer: p, speedup: p.medianMs / e.medianMs,
    ...(full && fullWarm ? { engineFull: implRuns(fullWarm.ms, fullRuns) } : {}),
  };
}

async function benchModel(model: ModelName, clips: Clip[], silence: Clip, runs: number, root: string): Promise<ModelResult> {
  progress(`[${model}] loading the engine and the peer...\n`);
  const enginePath = path.join(root, 'dist', 'engine.js');
  const engine = await EngineRunner.start(enginePath, { model });
  let peer: PeerAsr | undefined;
  let full: EngineRunner | undefined;
  try {
    peer = await PeerAsr.load(model, root);
    if (model === WINDOW_AB_MODEL) full = await EngineRunner.start(enginePath, { model, encoderWindow: 'full' });
    const results: ClipResult[] = [];
    for (const clip of clips) {
      progress(`[${model}] ${clip.name} `);
      const r = await benchClip(engine, peer, clip, runs, full);
      const fullMs = r.engineFull ? `, engine (full window) ${Math.round(r.engineFull.medianMs)} ms` : '';
      progress(`engine ${Math.round(r.engine.medianMs)} ms, peer ${Math.round(r.peer.medianMs)} ms${fullMs}\n`);
      results.push(r);
    }
    const rssBytes = await engine.rssBytes();
    const engineFull = full
      ? { ...summarize(results, 'engineFull'), rssBytes: await full.rssBytes(), loadMs: full.init.loadMs }
      : undefined;
    await full?.shutdown();
    let idleCpu;
    if (model === IDLE_CPU_MODEL) {
      progress(`[${model}] listening to ${SILENCE_SECONDS} s of silence at real-time pace for idle CPU...\n`);
      idleCpu = await measureIdleCpu(engine.client, silence.path, SILENCE_SECONDS);
    }
    return {
      model,
      engineInit: { loadMs: engine.init.loadMs, cachedEdits: engine.init.cachedEdits },
      peerLoadMs: peer.loadMs,
      clips: results,
      engine: { ...summarize(results, 'engine'), rssBytes },
      peer: summarize(results, 'peer'),
      ...(idleCpu ? { idleCpu } : {}),
      ...(engineFull ? { engineFull } : {}),
    };
  } finally {
    await full?.shutdown();
    await peer?.dispose();
    await engine.shutdown();
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const root = findRepoRoot(__dirname);
  const { runs, models } = parseEnv();
  const dir = audioDir(root);
  const speech = readManifest(dir);
  const tmp = makeTempDir();
  try {
    const { silence, noise } = writeSyntheticClips(tmp);
    const clips = [...speech, silence, noise];
    const header = {
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
        platform: `${os.platform()} ${os.arch()}`,
        node: process.version,
        loadAvg1mBefore: os.loadavg()[0],
      },
      audioDir: dir,
      runsPerClip: runs,
    };
    const modelResults: ModelResult[] = [];
    for (const model of models) {
      const before = sampleCpu();
      const result = await benchModel(model, clips, silence, runs, root);
      const contention = contentionBetween(before, sampleCpu(), header.machine.cpus);
      if (contention) result.contention = contention;
      if (model === LIVE_MODEL) {
        // After the model's engines and peer are gone, so that only the live engine (and the fake mic) runs.
        progress(`[live] ${model} engine listening to a fake microphone...\n`);
        const liveBefore = sampleCpu();
        const live = await measureLive(path.join(root, 'dist', 'engine.js'), speech, SILENCE_SECONDS);
        if (liveSkipped(live)) progress(`[live] skipped: ${live.skipped}\n`);
        else {
          const liveContention = contentionBetween(liveBefore, sampleCpu(), header.machine.cpus);
          if (liveContention) live.contention = liveContention;
        }
        result.live = live;
      }
      modelResults.push(result);
    }
    const results: BenchResults = { date: new Date().toISOString(), ...header, models: modelResults, totalMs: performance.now() - t0 };
    const out = path.join(root, '.bench', 'results.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(results, (_, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2) + '\n');
    process.stdout.write(formatHeader(header) + '\n' + modelResults.map((m) => formatModel(m, runs)).join('\n'));
    process.stdout.write(`\nResults: ${out} (${Math.round(results.totalMs / 1000)} s in all)\n`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exit(1);
  },
);
