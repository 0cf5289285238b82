/**
 * `npm run bench`: this project's engine against the transformers.js peer on the same Whisper int8 weights.
 * Per model: every clip runs alternately (engine, peer, engine, peer, ...) after one untimed warm-up of each; then
 * WER, latency percentiles, engine memory, words hallucinated for silence and noise; the cold start (fork to
 * listening); and the live section (bench/live.ts: dictation from a fake PulseAudio microphone, skipped with one line
 * where pulseaudio is not installed). Tiny also gets: the engine's idle CPU while listening to silence, the lever A/B
 * (bench/levers.ts, the encoder window's included), the streaming A/B (bench/streamingAb.ts) and the soak
 * (bench/soak.ts). Each model ends with the dev set (bench/devset.ts: ../shared/audio/dev, engine as shipped vs the
 * peer, words lost and invented). Prints the fast path's summary (bench/fastPath.ts), then the tables, and writes
 * .bench/results.json.
 * Env: VOICEFLOW_TEST_AUDIO (audio folder), BENCH_RUNS (default 3), BENCH_MODELS (default tiny,base), BENCH_LEVERS
 * (0 skips the lever A/B), BENCH_SOAK_MINUTES (default 20, 0 skips), BENCH_COLD_RUNS (default 5, 0 skips), BENCH_DEV
 * (0 skips the dev set).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MODEL_NAMES, ModelName } from '../src/protocol';
import { Contention, contentionBetween, sampleCpu } from './contention';
import { Clip, audioDir, loadAudio16k, makeTempDir, readManifest, writeSyntheticClips } from './clips';
import { measureColdStart } from './coldStart';
import { measureDevSet } from './devset';
import { EngineRunner } from './engineRunner';
import { fastPathRows, formatFastPath } from './fastPath';
import { measureIdleCpu } from './idleCpu';
import { measureLevers } from './levers';
import { formatLongAudio, measureLongAudio } from './longAudio';
import { liveSkipped, measureLive } from './live';
import { PeerAsr } from './peer';
import { formatHeader, formatModel } from './report';
import { BenchResults, ClipResult, ModelResult, runAlternately, summarize } from './results';
import { measureSoak } from './soak';
import { measureStreaming } from './streamingAb';

/** The model of the sections run once (idle CPU, lever and streaming A/B, soak): the default. */
const DEFAULT_MODEL: ModelName = 'tiny';
const SILENCE_SECONDS = 30;

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'esbuild.mjs'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`Cannot find the repository root above ${from}.`);
  }
}

interface BenchEnv {
  runs: number;
  models: ModelName[];
  levers: boolean;
  soakMinutes: number;
  coldRuns: number;
  devSet: boolean;
}

function parseEnv(): BenchEnv {
  const number = (name: string, fallback: number, ok: (n: number) => boolean, what: string) => {
    const n = Number(process.env[name] ?? fallback);
    if (!ok(n)) throw new Error(`${name} must be ${what}, not "${process.env[name]}".`);
    return n;
  };
  const runs = number('BENCH_RUNS', 3, (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1');
  const models = (process.env.BENCH_MODELS ?? MODEL_NAMES.join(',')).split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of models) {
    if (!(MODEL_NAMES as readonly string[]).includes(m)) throw new Error(`BENCH_MODELS: unknown model "${m}" (choose from ${MODEL_NAMES.join(', ')}).`);
  }
  const levers = number('BENCH_LEVERS', 1, (n) => n === 0 || n === 1, '0 or 1') === 1;
  const soakMinutes = number('BENCH_SOAK_MINUTES', 20, (n) => Number.isFinite(n) && n >= 0, 'a number of minutes >= 0');
  const coldRuns = number('BENCH_COLD_RUNS', 5, (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0');
  const devSet = number('BENCH_DEV', 1, (n) => n === 0 || n === 1, '0 or 1') === 1;
  return { runs, models: models as ModelName[], levers, soakMinutes, coldRuns, devSet };
}

const progress = (s: string) => process.stderr.write(s);

async function benchClip(engine: EngineRunner, peer: PeerAsr, clip: Clip, runs: number): Promise<ClipResult> {
  const audio = loadAudio16k(clip.path);
  const peerRun = async () => {
    const t0 = performance.now();
    const text = await peer.transcribe(audio);
    return { ms: performance.now() - t0, text };
  };
  const [e, p] = await runAlternately([() => engine.transcribe(clip.path), peerRun], runs);
  return { clip: clip.name, kind: clip.kind, seconds: clip.seconds, reference: clip.reference, engine: e, peer: p, speedup: p.medianMs / e.medianMs };
}

async function benchModel(model: ModelName, clips: Clip[], silence: Clip, runs: number, enginePath: string, root: string): Promise<ModelResult> {
  progress(`[${model}] loading the engine and the peer...\n`);
  const engine = await EngineRunner.start(enginePath, { model });
  let peer: PeerAsr | undefined;
  try {
    peer = await PeerAsr.load(model, root);
    const results: ClipResult[] = [];
    for (const clip of clips) {
      progress(`[${model}] ${clip.name} `);
      const r = await benchClip(engine, peer, clip, runs);
      progress(`engine ${Math.round(r.engine.medianMs)} ms, peer ${Math.round(r.peer.medianMs)} ms\n`);
      results.push(r);
    }
    const rssBytes = await engine.rssBytes();
    let idleCpu;
    if (model === DEFAULT_MODEL) {
      progress(`[${model}] listening to ${SILENCE_SECONDS} s of silence at real-time pace for idle CPU...\n`);
      idleCpu = await measureIdleCpu(engine.client, silence.path, SILENCE_SECONDS);
    }
    return {
      model,
      engineInit: { loadMs: engine.init.loadMs, cachedEdits: engine.init.cachedEdits },
      peerLoadMs: peer.loadMs,
      clips: results,
      engine: { ...summarize(results.map((c) => ({ ...c, runs: c.engine }))), rssBytes },
      peer: summarize(results.map((c) => ({ ...c, runs: c.peer }))),
      ...(idleCpu ? { idleCpu } : {}),
    };
  } finally {
    await peer?.dispose();
    await engine.shutdown();
  }
}

/** Runs a section and records the CPU other processes used meanwhile (Linux). */
async function withContention<T extends { contention?: Contention }>(cpus: number, run: () => Promise<T>): Promise<T> {
  const before = sampleCpu();
  const result = await run();
  const contention = contentionBetween(before, sampleCpu(), cpus);
  if (contention) result.contention = contention;
  return result;
}

/** Everything for one model, one section after another: only one section's engines (and the fake mic) run at a time. */
async function benchModelSections(model: ModelName, speech: Clip[], synthetic: { silence: Clip; noise: Clip }, env: BenchEnv, cpus: number, root: string, tmp: string): Promise<ModelResult> {
  const enginePath = path.join(root, 'dist', 'engine.js');
  const clips = [...speech, synthetic.silence, synthetic.noise];
  const result = await withContention(cpus, () => benchModel(model, clips, synthetic.silence, env.runs, enginePath, root));
  if (env.coldRuns > 0) result.coldStart = await measureColdStart(enginePath, model, env.coldRuns, tmp);
  if (model === DEFAULT_MODEL && env.levers) result.levers = await withContention(cpus, () => measureLevers(enginePath, model, clips, env.runs));
  progress(`[live] ${model} engine listening to a fake microphone...\n`);
  const liveBefore = sampleCpu();
  const live = await measureLive(enginePath, model, speech, SILENCE_SECONDS);
  if (liveSkipped(live)) progress(`[live] skipped: ${live.skipped}\n`);
  else {
    const contention = contentionBetween(liveBefore, sampleCpu(), cpus);
    if (contention) live.contention = contention;
  }
  result.live = live;
  if (model === DEFAULT_MODEL) {
    result.streaming = await withContention(cpus, () => measureStreaming(enginePath, model, speech, tmp));
    if (env.soakMinutes > 0) result.soak = await withContention(cpus, () => measureSoak(enginePath, model, speech, env.soakMinutes, tmp));
  }
  if (env.devSet) result.devSet = await measureDevSet(root, model, { config: {}, runPeer: true, enginePath });
  return result;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const root = findRepoRoot(__dirname);
  const env = parseEnv();
  const dir = audioDir(root);
  const speech = readManifest(dir);
  const tmp = makeTempDir();
  try {
    const synthetic = writeSyntheticClips(tmp);
    const header = {
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
        platform: `${os.platform()} ${os.arch()}`,
        node: process.version,
        loadAvg1mBefore: os.loadavg()[0],
      },
      audioDir: dir,
      runsPerClip: env.runs,
    };
    const modelResults: ModelResult[] = [];
    for (const model of env.models) modelResults.push(await benchModelSections(model, speech, synthetic, env, header.machine.cpus, root, tmp));
    const fastPath = fastPathRows(modelResults);
    const results: BenchResults = { date: new Date().toISOString(), ...header, fastPath, models: modelResults, totalMs: performance.now() - t0 };
    const out = path.join(root, '.bench', 'results.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(results, (_, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2) + '\n');
    let report = formatHeader(header) + '\n' + formatFastPath(fastPath) + '\n' + modelResults.map((m) => formatModel(m, env.runs)).join('\n');
    process.stdout.write(report);
    if (process.env.BENCH_LONG !== '0') {
      const long = '\n' + formatLongAudio(await measureLongAudio(path.join(root, 'dist', 'engine.js'), env.models, speech, tmp));
      process.stdout.write(long);
      report += long;
    }
    // The figures live in a file of their own, written here, not pasted into the README.
    const markdown = path.join(root, 'bench', 'RESULTS.md');
    fs.writeFileSync(markdown, `<!-- Written by npm run bench (${results.date}); ${JSON.stringify(env)}. Do not edit by hand. -->\n\n${report}\n`);
    process.stdout.write(`\nResults: ${out} and ${markdown} (${Math.round((performance.now() - t0) / 1000)} s in all)\n`);
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
