/**
 * `npm run bench`: this project's engine against the transformers.js peer on the same Whisper int8 weights.
 * Per model: every clip runs alternately (engine, peer, engine, peer, ...) after one untimed warm-up of each; then
 * WER, latency percentiles, engine memory, words hallucinated for silence and noise; the second peer, whisper.cpp
 * (bench/whispercpp.ts), on the same clips with the full and the cut encoder window; the cold start (fork to
 * listening); and the live section (bench/live.ts: dictation from a fake PulseAudio microphone, skipped with one line
 * where pulseaudio is not installed). Tiny also gets: the engine's idle CPU while listening to silence, the lever A/B
 * (bench/levers.ts, the encoder window's included), the streaming A/B (bench/streamingAb.ts) and the soak
 * (bench/soak.ts). Each model ends with the dev set (bench/devset.ts: ../shared/audio/dev, engine as shipped vs the
 * peer, words lost and invented). Prints the fast path's summary (bench/fastPath.ts), then the tables, and writes
 * .bench/results.json.
 * Env: VOICEFLOW_TEST_AUDIO (audio folder), BENCH_RUNS (default 3), BENCH_MODELS (default tiny,base), BENCH_LEVERS
 * (0 skips the lever A/B), BENCH_SOAK_MINUTES (default 20, 0 skips), BENCH_COLD_RUNS (default 5, 0 skips), BENCH_DEV
 * (0 skips the dev set), BENCH_WHISPERCPP (0 skips whisper.cpp), BENCH_VOCABULARY (0 skips the vocabulary prompt's section,
 * bench/vocabulary.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { INSTALLED_MODELS, MODEL_NAMES, ModelName } from '../src/protocol';
import { contentionBetween, sampleCpu } from './contention';
import { Clip, audioDir, makeTempDir, readManifest, writeSyntheticClips } from './clips';
import { measureColdStart } from './coldStart';
import { measureDevSet } from './devset';
import { SILENCE_SECONDS, benchModel, withContention } from './engineVsPeer';
import { fastPathRows, formatFastPath } from './fastPath';
import { measureLevers } from './levers';
import { formatLongAudio, measureLongAudio } from './longAudio';
import { liveSkipped, measureLive } from './live';
import { formatHeader, formatModel, table } from './report';
import { BenchResults, ModelResult } from './results';
import { measureSoak } from './soak';
import { formatVocabulary, measureVocabulary } from './vocabulary';
import { measureStreaming } from './streamingAb';
import { WhisperCppPeer, measureWhisperCpp, prepareWhisperCpp } from './whispercpp';
import { packageRoot } from '../src/engine/models/pins';

/** The model of the sections run once (idle CPU, lever and streaming A/B, soak): the default. */
const DEFAULT_MODEL: ModelName = 'tiny';

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
  const models = (process.env.BENCH_MODELS ?? INSTALLED_MODELS.join(','))
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  for (const m of models) {
    if (!(MODEL_NAMES as readonly string[]).includes(m))
      throw new Error(`BENCH_MODELS: unknown model "${m}" (choose from ${MODEL_NAMES.join(', ')}).`);
  }
  const levers = number('BENCH_LEVERS', 1, (n) => n === 0 || n === 1, '0 or 1') === 1;
  const soakMinutes = number('BENCH_SOAK_MINUTES', 20, (n) => Number.isFinite(n) && n >= 0, 'a number of minutes >= 0');
  const coldRuns = number('BENCH_COLD_RUNS', 5, (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0');
  const devSet = number('BENCH_DEV', 1, (n) => n === 0 || n === 1, '0 or 1') === 1;
  return { runs, models: models as ModelName[], levers, soakMinutes, coldRuns, devSet };
}

const progress = (s: string) => process.stderr.write(s);

/** The clip a cold start says first: the first 1-3 s one (a short dictated phrase), else the first. */
function firstWords(speech: Clip[]): Clip {
  const c = speech.find((x) => x.seconds >= 1 && x.seconds <= 3) ?? speech[0];
  if (!c) throw new Error('No speech clip for the cold start: the manifest lists none.');
  return c;
}

/** Everything for one model, one section after another: only one section's engines (and the fake mic) run at a time. */
async function benchModelSections(
  model: ModelName,
  speech: Clip[],
  synthetic: { silence: Clip; noise: Clip },
  env: BenchEnv,
  cpus: number,
  root: string,
  tmp: string,
  wcpp: WhisperCppPeer | { skipped: string },
): Promise<ModelResult> {
  const enginePath = path.join(root, 'dist', 'engine.js');
  const clips = [...speech, synthetic.silence, synthetic.noise];
  const result = await withContention(cpus, () =>
    benchModel(model, clips, env.runs, enginePath, root, model === DEFAULT_MODEL ? synthetic.silence : undefined),
  );
  if ('skipped' in wcpp) result.whisperCpp = wcpp;
  else {
    result.whisperCpp = await measureWhisperCpp(wcpp, model, clips, env.runs);
    if ('skipped' in result.whisperCpp) progress(`[${model}] whisper.cpp: not run (${result.whisperCpp.skipped})\n`);
  }
  if (env.coldRuns > 0) result.coldStart = await measureColdStart(enginePath, model, env.coldRuns, tmp, firstWords(speech));
  if (model === DEFAULT_MODEL && env.levers)
    result.levers = await withContention(cpus, () => measureLevers(enginePath, model, clips, env.runs));
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
  const root = packageRoot(__dirname);
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
    const wcpp = await prepareWhisperCpp(root, env.models);
    if ('skipped' in wcpp) progress(`whisper.cpp: not run (${wcpp.skipped})\n`);
    const modelResults: ModelResult[] = [];
    for (const model of env.models)
      modelResults.push(await benchModelSections(model, speech, synthetic, env, header.machine.cpus, root, tmp, wcpp));
    const fastPath = fastPathRows(modelResults);
    const results: BenchResults = {
      date: new Date().toISOString(),
      ...header,
      fastPath,
      models: modelResults,
      totalMs: performance.now() - t0,
    };
    const out = path.join(root, '.bench', 'results.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(results, (_, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2) + '\n');
    let report =
      formatHeader(header) + '\n' + formatFastPath(fastPath) + '\n' + modelResults.map((m) => formatModel(m, env.runs)).join('\n');
    process.stdout.write(report);
    if (process.env.BENCH_LONG !== '0') {
      const long = '\n' + formatLongAudio(await measureLongAudio(path.join(root, 'dist', 'engine.js'), env.models, speech, tmp));
      process.stdout.write(long);
      report += long;
    }
    if (process.env.BENCH_VOCABULARY !== '0') {
      const vocabulary = await measureVocabulary(path.join(root, 'dist', 'engine.js'), env.models, speech, synthetic, tmp, root, progress);
      const text = '\n' + formatVocabulary(vocabulary, table);
      process.stdout.write(text);
      report += text;
    }
    // The figures live in a file of their own, written here, not pasted into the README.
    const markdown = path.join(root, 'bench', 'RESULTS.md');
    fs.writeFileSync(
      markdown,
      `<!-- Written by npm run bench (${results.date}); ${JSON.stringify(env)}. Do not edit by hand. -->\n\n${report}\n`,
    );
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
