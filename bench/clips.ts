/**
 * The clips the benchmark runs: the shared speech recordings listed in manifest.tsv, plus 30 s of digital silence
 * and 30 s of white noise generated into a temporary folder (never into the repository).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ingest } from '../src/pipeline/audio/ingest';
import { encodeWav16, parseWav } from '../src/pipeline/audio/wav';

export type ClipKind = 'speech' | 'silence' | 'noise';

export interface Clip {
  name: string;
  path: string;
  seconds: number;
  kind: ClipKind;
  /** Reference transcript; undefined when the manifest has none (latency only, no WER). */
  reference?: string;
}

const SYNTH_RATE = 16000;
const SYNTH_SECONDS = 30;
const NOISE_AMPLITUDE = 0.25;
const NOISE_SEED = 0x5eed;

/** The shared audio folder: VOICEFLOW_TEST_AUDIO, or ../shared/audio beside the repository. */
export function audioDir(repoRoot: string): string {
  return path.resolve(process.env.VOICEFLOW_TEST_AUDIO ?? path.join(repoRoot, '..', 'shared', 'audio'));
}

/** Reads manifest.tsv (file, sample_rate, seconds, transcript, ...); throws a sentence if anything is missing. */
export function readManifest(dir: string): Clip[] {
  const manifest = path.join(dir, 'manifest.tsv');
  if (!fs.existsSync(dir)) {
    throw new Error(`Benchmark audio folder not found: ${dir}. Put the shared recordings there or set VOICEFLOW_TEST_AUDIO.`);
  }
  if (!fs.existsSync(manifest)) {
    throw new Error(`No manifest.tsv in ${dir}: the benchmark needs it for the clip list and transcripts.`);
  }
  const [header, ...rows] = fs.readFileSync(manifest, 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const cols = header.split('\t');
  const col = (name: string) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`${manifest} has no "${name}" column.`);
    return i;
  };
  const [fileCol, secondsCol, transcriptCol] = [col('file'), col('seconds'), col('transcript')];
  return rows.map((row) => {
    const f = row.split('\t');
    const file = path.join(dir, f[fileCol]);
    if (!fs.existsSync(file)) throw new Error(`${manifest} lists ${f[fileCol]}, which is not in ${dir}.`);
    const transcript = f[transcriptCol]?.trim() ?? '';
    return {
      name: f[fileCol],
      path: file,
      seconds: Number(f[secondsCol]),
      kind: 'speech' as const,
      reference: transcript && !transcript.startsWith('(no reference') ? transcript : undefined,
    };
  });
}

/** Small deterministic PRNG (mulberry32) so every run hears the same noise. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes silence.wav and noise.wav (30 s, 16 kHz, 16-bit) into `dir`. */
export function writeSyntheticClips(dir: string): { silence: Clip; noise: Clip } {
  const n = SYNTH_RATE * SYNTH_SECONDS;
  const silence = new Float32Array(n);
  const noise = new Float32Array(n);
  const rnd = random(NOISE_SEED);
  for (let i = 0; i < n; i++) noise[i] = (rnd() * 2 - 1) * NOISE_AMPLITUDE;
  const write = (name: string, samples: Float32Array, kind: ClipKind): Clip => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, encodeWav16(samples, SYNTH_RATE));
    return { name: `(generated) ${name}`, path: file, seconds: SYNTH_SECONDS, kind };
  };
  return { silence: write('silence-30s.wav', silence, 'silence'), noise: write('noise-30s.wav', noise, 'noise') };
}

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-bench-'));
}

/** A WAV file as 16 kHz mono float32, decoded and resampled by the engine's own ingest code. */
export function loadAudio16k(file: string): Float32Array {
  return ingest(parseWav(fs.readFileSync(file), path.basename(file)), path.basename(file)).samples;
}
