/**
 * Sounds that are not speech, generated (never recorded into the repository): white, pink and brown noise, mains
 * hum with its harmonics, clicks, breathing (noise swelling and fading every 3.5 s) and held chords. Deterministic.
 */
import { mulberry32 } from '../../eval/random';

const RATE = 16000;

/** Uniform in [-1, 1). */
function random(seed: number): () => number {
  const r = mulberry32(seed);
  return () => r() * 2 - 1;
}

/** Scales to `db` dBFS RMS. */
function atLevel(x: Float32Array, db: number): Float32Array {
  let acc = 0;
  for (const v of x) acc += v * v;
  const gain = 10 ** (db / 20) / (Math.sqrt(acc / x.length) || 1);
  for (let i = 0; i < x.length; i++) x[i] *= gain;
  return x;
}

function white(n: number, seed: number): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length: n }, () => r());
}

/** Paul Kellet's filter: -3 dB per octave. */
function pink(n: number, seed: number): Float32Array {
  const r = random(seed);
  const x = new Float32Array(n);
  const b = [0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const w = r();
    b[0] = 0.99886 * b[0] + w * 0.0555179;
    b[1] = 0.99332 * b[1] + w * 0.0750759;
    b[2] = 0.969 * b[2] + w * 0.153852;
    b[3] = 0.8665 * b[3] + w * 0.3104856;
    b[4] = 0.55 * b[4] + w * 0.5329522;
    b[5] = -0.7616 * b[5] - w * 0.016898;
    x[i] = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362;
    b[6] = w * 0.115926;
  }
  return x;
}

function brown(n: number, seed: number): Float32Array {
  const r = random(seed);
  const x = new Float32Array(n);
  for (let i = 0, v = 0; i < n; i++) x[i] = v = 0.998 * v + r() * 0.05;
  return x;
}

function hum(n: number, hz: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => {
    const t = (2 * Math.PI * hz * i) / RATE;
    return Math.sin(t) + 0.5 * Math.sin(2 * t) + 0.3 * Math.sin(3 * t) + 0.2 * Math.sin(5 * t);
  });
}

function clicks(n: number, seed: number): Float32Array {
  const r = random(seed);
  const x = new Float32Array(n);
  for (let c = 0; c < n / 4000; c++) {
    const at = Math.floor(((r() + 1) / 2) * (n - 200));
    for (let i = 0; i < 120; i++) x[at + i] += r() * Math.exp(-i / 20);
  }
  return x;
}

function breathing(n: number, seed: number): Float32Array {
  const w = pink(n, seed);
  const x = new Float32Array(n);
  for (let i = 0, low = 0; i < n; i++) {
    const swell = Math.max(0, Math.sin((2 * Math.PI * i) / RATE / 3.5)) ** 2;
    x[i] = (w[i] - low) * swell;
    low = 0.9 * low + 0.1 * w[i];
  }
  return x;
}

/** C major, A minor, F major, G major: a second each. */
function chords(n: number): Float32Array {
  const seq = [
    [261.6, 329.6, 392],
    [220, 261.6, 329.6],
    [174.6, 220, 261.6],
    [196, 246.9, 293.7],
  ];
  return Float32Array.from({ length: n }, (_, i) =>
    seq[Math.floor(i / RATE) % 4].reduce((s, f) => s + Math.sin((2 * Math.PI * f * i) / RATE), 0),
  );
}

/** Every kind at every level: [name, 16 kHz samples]. */
export function noiseSignals(seconds: number, levelsDb: readonly number[] = [-45, -30, -18]): [string, Float32Array][] {
  const n = Math.round(seconds * RATE);
  const kinds: [string, () => Float32Array][] = [
    ['white noise', () => white(n, 1)],
    ['pink noise', () => pink(n, 2)],
    ['brown noise', () => brown(n, 3)],
    ['50 Hz hum', () => hum(n, 50)],
    ['60 Hz hum', () => hum(n, 60)],
    ['clicks', () => clicks(n, 4)],
    ['breathing', () => breathing(n, 5)],
    ['chords', () => chords(n)],
  ];
  return levelsDb.flatMap((db) => kinds.map(([name, make]): [string, Float32Array] => [`${name} at ${db} dBFS`, atLevel(make(), db)]));
}
