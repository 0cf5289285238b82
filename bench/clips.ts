/**
 * The clips the benchmark runs: the shared speech recordings listed in manifest.tsv, plus 30 s of digital silence
 * and 30 s of white noise generated into a temporary folder (never into the repository).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mulberry32 } from '../eval/random';
import { ingest } from '../src/engine/audio/ingest';
import { encodeWav16, parseWav } from '../src/engine/audio/wav';

export type ClipKind = 'speech' | 'silence' | 'noise';

export interface Clip {
  name: string;
  path: string;
  seconds: number;
  kind: ClipKind;
  /** Reference transcript; undefined when the manifest has none (latency only, no WER). */
  reference?: string;
}

const RATE = 16000;
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
  const [header, ...rows] = fs
    .readFileSync(manifest, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim());
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

/** Writes silence.wav and noise.wav (30 s, 16 kHz, 16-bit) into `dir`. */
export function writeSyntheticClips(dir: string): { silence: Clip; noise: Clip } {
  const n = RATE * SYNTH_SECONDS;
  const silence = new Float32Array(n);
  const noise = new Float32Array(n);
  const rnd = mulberry32(NOISE_SEED);
  for (let i = 0; i < n; i++) noise[i] = (rnd() * 2 - 1) * NOISE_AMPLITUDE;
  const write = (name: string, samples: Float32Array, kind: ClipKind): Clip => {
    const file = path.join(dir, name);
    writeAudio(file, samples);
    return { name: `(generated) ${name}`, path: file, seconds: SYNTH_SECONDS, kind };
  };
  return { silence: write('silence-30s.wav', silence, 'silence'), noise: write('noise-30s.wav', noise, 'noise') };
}

/** Writes 16 kHz mono float samples as a 16-bit WAV. */
export function writeAudio(file: string, samples: Float32Array): void {
  fs.writeFileSync(file, encodeWav16(samples, RATE));
}

/** How the live-path sections dictate the clips: silence before the first clip, and after each. */
export const LEAD_IN_MS = 1000;
export const PAUSE_MS = 2500;

/** Where a clip sits in a dictation WAV, ms from its start. */
export interface ClipSpan {
  clip: string;
  startMs: number;
  endMs: number;
}

export interface Dictation {
  path: string;
  seconds: number;
  spans: ClipSpan[];
}

/** Writes the clips one after another as one WAV, as a speaker would dictate them: LEAD_IN_MS of silence, then each clip followed by PAUSE_MS. */
export function writeDictation(file: string, clips: readonly Clip[]): Dictation {
  const gap = (ms: number) => new Float32Array((ms / 1000) * RATE);
  const parts: Float32Array[] = [gap(LEAD_IN_MS)];
  const spans: ClipSpan[] = [];
  let at = LEAD_IN_MS;
  for (const c of clips) {
    const audio = loadAudio16k(c.path);
    const ms = (audio.length / RATE) * 1000;
    spans.push({ clip: c.name, startMs: at, endMs: at + ms });
    parts.push(audio, gap(PAUSE_MS));
    at += ms + PAUSE_MS;
  }
  const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    samples.set(p, offset);
    offset += p.length;
  }
  writeAudio(file, samples);
  return { path: file, seconds: samples.length / RATE, spans };
}

/** The clip playing, or played last, at `ms` into a dictation. */
export function clipAt(spans: readonly ClipSpan[], ms: number): string {
  return spans.filter((s) => s.startMs <= ms).at(-1)?.clip ?? '(before the first clip)';
}

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-bench-'));
}

/** A WAV file as 16 kHz mono float32, decoded and resampled by the engine's own ingest code. */
export function loadAudio16k(file: string): Float32Array {
  return ingest(parseWav(fs.readFileSync(file), path.basename(file)), path.basename(file)).samples;
}
