/**
 * `npm run bench:peers`: the peers side by side alone, per model in BENCH_MODELS (default tiny,base): the engine/peer
 * rounds (engine and transformers.js alternating) and whisper.cpp after them, full and cut encoder window
 * (bench/whispercpp.ts). Prints the side-by-side tables and writes .bench/peers.json; bench/RESULTS.md and
 * .bench/results.json are left alone. Env: BENCH_MODELS, BENCH_RUNS (default 3), VOICEFLOW_TEST_AUDIO, and those of
 * bench/whispercpp.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { INSTALLED_MODELS, MODEL_NAMES, ModelName } from '../src/protocol';
import { audioDir, makeTempDir, readManifest, writeSyntheticClips } from './clips';
import { benchModel, withContention } from './engineVsPeer';
import { formatHeader, peersTables } from './report';
import { ModelResult } from './results';
import { measureWhisperCpp, prepareWhisperCpp } from './whispercpp';
import { packageRoot } from '../src/engine/models/pins';

async function main(): Promise<void> {
  const root = packageRoot(__dirname);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS must be a whole number >= 1, not "${process.env.BENCH_RUNS}".`);
  const models = (process.env.BENCH_MODELS ?? INSTALLED_MODELS.join(','))
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean) as ModelName[];
  for (const m of models) if (!MODEL_NAMES.includes(m)) throw new Error(`BENCH_MODELS: unknown model "${m}".`);
  const dir = audioDir(root);
  const speech = readManifest(dir);
  const tmp = makeTempDir();
  const cpus = os.cpus().length;
  try {
    const synthetic = writeSyntheticClips(tmp);
    const clips = [...speech, synthetic.silence, synthetic.noise];
    const header = {
      machine: {
        cpus,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
        platform: `${os.platform()} ${os.arch()}`,
        node: process.version,
        loadAvg1mBefore: os.loadavg()[0],
      },
      audioDir: dir,
      runsPerClip: runs,
    };
    const wcpp = await prepareWhisperCpp(root, models);
    if ('skipped' in wcpp) process.stderr.write(`whisper.cpp: not run (${wcpp.skipped})\n`);
    const results: ModelResult[] = [];
    for (const model of models) {
      const m = await withContention(cpus, () => benchModel(model, clips, runs, path.join(root, 'dist', 'engine.js'), root));
      m.whisperCpp = 'skipped' in wcpp ? wcpp : await measureWhisperCpp(wcpp, model, clips, runs);
      results.push(m);
    }
    const out = path.join(root, '.bench', 'peers.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      JSON.stringify(
        { date: new Date().toISOString(), ...header, models: results },
        (_, v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v),
        2,
      ) + '\n',
    );
    process.stdout.write(formatHeader(header) + '\n' + results.flatMap((m) => peersTables(m)).join('\n') + `\nResults: ${out}\n`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench:peers: ${err.message}\n`);
    process.exit(1);
  },
);
