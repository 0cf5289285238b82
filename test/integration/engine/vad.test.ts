import * as assert from 'assert';
import * as fs from 'fs';
import { onnx } from 'onnx-proto';
import { sileroFile } from '../../../src/engine/models/pins';
import {
  ENERGY_GATE_RMS,
  frameRms,
  SileroVad,
  VAD_FRAME,
  VAD_MAX_GAIN_DB,
  VAD_TARGET_DB,
  VadLevelControl,
} from '../../../src/engine/live/vad';
import { sileroSequenceModel } from '../../../src/engine/models/sileroGraph';
import { loadClip } from '../../audioFixtures';

function frames(samples: Float32Array): Float32Array[] {
  const out: Float32Array[] = [];
  for (let pos = 0; pos + VAD_FRAME <= samples.length; pos += VAD_FRAME) out.push(samples.slice(pos, pos + VAD_FRAME));
  return out;
}

async function probabilities(vad: SileroVad, fs: Float32Array[]): Promise<number[]> {
  const out: number[] = [];
  for (const f of fs) out.push(await vad.probability(f));
  return out;
}

describe('frameRms', () => {
  it('is the root mean square of the frame', () => {
    assert.strictEqual(frameRms(new Float32Array(512)), 0);
    assert.ok(Math.abs(frameRms(new Float32Array(512).fill(-0.25)) - 0.25) < 1e-9);
    const sine = Float32Array.from({ length: 512 }, (_, i) => 0.8 * Math.sin((2 * Math.PI * 8 * i) / 512));
    assert.ok(Math.abs(frameRms(sine) - 0.8 / Math.SQRT2) < 1e-6);
  });
});

describe('VadLevelControl', () => {
  const rmsAt = (db: number) => Math.pow(10, db / 20);
  const gainDb = (c: VadLevelControl, db: number) => 20 * Math.log10(c.gain(rmsAt(db)));

  it('brings the speech level to VAD_TARGET_DB, never attenuates, and gains at most VAD_MAX_GAIN_DB', () => {
    assert.ok(Math.abs(gainDb(new VadLevelControl(), -30) - (VAD_TARGET_DB + 30)) < 1e-6);
    assert.strictEqual(gainDb(new VadLevelControl(), -3), 0);
    assert.ok(Math.abs(gainDb(new VadLevelControl(), -90) - VAD_MAX_GAIN_DB) < 1e-6);
  });

  it('follows a louder frame at once and a quieter stretch slowly; reset() forgets', () => {
    const c = new VadLevelControl();
    gainDb(c, -40);
    assert.ok(Math.abs(gainDb(c, -10) - 2) < 1e-6, 'a loud frame takes the gain down at once');
    const after10 = gainDb(c, -50);
    assert.ok(after10 > 2 && after10 < 3, `one quiet frame later: ${after10}`);
    let g = 0;
    for (let i = 0; i < 310; i++) g = gainDb(c, -50); // 10 s
    assert.ok(g > 20, `ten seconds later: ${g}`);
    c.reset();
    assert.ok(Math.abs(gainDb(c, -30) - (VAD_TARGET_DB + 30)) < 1e-6);
  });
});

describe('SileroVad', function () {
  this.timeout(60000);
  let vad: SileroVad;
  let jfkFrames: Float32Array[];

  before(async () => {
    vad = await SileroVad.load();
    jfkFrames = frames(loadClip('jfk.wav'));
  });

  after(async () => {
    await vad?.release();
  });

  it('answers 0 for frames below the energy gate, whatever the gain, without running the model', async () => {
    const v = vad.clone();
    assert.strictEqual(await v.probability(new Float32Array(VAD_FRAME)), 0);
    const quiet = Float32Array.from({ length: VAD_FRAME }, (_, i) => (i % 2 ? 1 : -1) * ENERGY_GATE_RMS * 0.9);
    assert.strictEqual(await v.probability(quiet), 0);
    assert.strictEqual(v.gatedFrames, 2);
    assert.strictEqual(v.modelFrames, 0);
  });

  it('runs the model on frames above the gate', async () => {
    const v = vad.clone();
    const p = await v.probability(jfkFrames[40]);
    assert.ok(p >= 0 && p <= 1);
    assert.strictEqual(v.modelFrames, 1);
    assert.strictEqual(v.gatedFrames, 0);
  });

  it('a gate of 0 sends every frame to the model', async () => {
    const open = await SileroVad.load(0);
    try {
      await open.probability(Float32Array.from({ length: VAD_FRAME }, () => 1e-5));
      assert.strictEqual(open.modelFrames, 1);
      assert.strictEqual(open.gatedFrames, 0);
    } finally {
      await open.release();
    }
  });

  it('gives high probabilities on speech and low ones on silence and noise', async () => {
    const v = vad.clone();
    const ps = await probabilities(v, jfkFrames);
    const voiced = ps.filter((p) => p > 0.5).length;
    assert.ok(Math.max(...ps) > 0.9, `max ${Math.max(...ps)}`);
    assert.ok(voiced > ps.length * 0.4, `${voiced} of ${ps.length} frames voiced`);
    // A low hum just above the gate is not speech.
    const hum = Float32Array.from({ length: 16000 }, (_, i) => 0.01 * Math.sin((2 * Math.PI * 60 * i) / 16000));
    const quiet = await probabilities(vad.clone(), frames(hum));
    assert.ok(Math.max(...quiet) < 0.5, `hum max ${Math.max(...quiet)}`);
  });

  it('hears quiet speech as it hears loud speech: the model hears a copy brought to the speech level', async () => {
    const voiced = async (db: number) => {
      const g = Math.pow(10, db / 20);
      const ps = await probabilities(
        vad.clone(),
        jfkFrames.map((f) => f.map((x) => x * g)),
      );
      return ps.filter((p) => p >= 0.5).length;
    };
    const loud = await voiced(0);
    for (const db of [-20, -25]) {
      const quiet = await voiced(db);
      assert.ok(quiet >= loud * 0.8, `${quiet} frames voiced at ${db} dB, ${loud} at 0 dB`);
    }
    // Whole recordings are heard the same way.
    const whole = await vad.clone().probabilities(loadClip('jfk.wav').map((x) => x * 0.1));
    assert.ok(whole.filter((p) => p >= 0.5).length >= loud * 0.8);
  });

  it('a near-idle microphone and a quiet hum, brought up, are still not speech', async () => {
    let s = 1;
    const white = Float32Array.from(
      { length: 32000 },
      () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 0x100000000 - 0.5) * 0.00055,
    ); // -70 dBFS
    const hum = Float32Array.from({ length: 32000 }, (_, i) => 0.0056 * Math.sin((2 * Math.PI * 50 * i) / 16000)); // -48 dBFS
    for (const [name, x] of [
      ['white noise at -70 dBFS', white],
      ['hum at -48 dBFS', hum],
    ] as const) {
      const ps = await vad.clone().probabilities(x);
      assert.ok(Math.max(...ps) < 0.5, `${name}: max ${Math.max(...ps)}`);
    }
  });

  it('carries state between frames; reset() and clone() start a new stream', async () => {
    const sample = jfkFrames.slice(0, 60);
    const a = vad.clone();
    const first = await probabilities(a, sample);
    const b = vad.clone();
    assert.deepStrictEqual(await probabilities(b, sample), first, 'two fresh detectors agree');
    // Without a reset the same frames give other answers, because of the state left by the first pass.
    const again = await probabilities(a, sample);
    assert.notDeepStrictEqual(again, first);
    a.reset();
    assert.deepStrictEqual(await probabilities(a, sample), first, 'after reset() it behaves like a fresh detector');
    assert.strictEqual(vad.clone().modelFrames, 0, 'a clone starts with its own counters');
  });
});

describe('SileroVad sequence model (levers.vadSequence, vadGraph.ts)', function () {
  this.timeout(60000);
  let exported: SileroVad;
  let sequence: SileroVad;
  /** jfk.wav's first 4 s, 1 s of digital silence (gated frames between voiced ones), then 4 s more of jfk. */
  let gapped: Float32Array;

  before(async () => {
    exported = await SileroVad.load(undefined, undefined, { vadSequence: false });
    sequence = await SileroVad.load(undefined, undefined, { vadSequence: true });
    const jfk = loadClip('jfk.wav');
    gapped = new Float32Array(9 * 16000);
    gapped.set(jfk.subarray(0, 4 * 16000));
    gapped.set(jfk.subarray(4 * 16000, 8 * 16000), 5 * 16000);
  });

  after(async () => {
    await exported?.release();
    await sequence?.release();
  });

  it('loads the edited model by default and the export with the lever off', () => {
    assert.strictEqual(sequence.sequence, true);
    assert.strictEqual(exported.sequence, false);
  });

  it('answers what the export does, frame by frame', async () => {
    const fs0 = frames(gapped);
    const a = await probabilities(exported.clone(), fs0);
    const b = await probabilities(sequence.clone(), fs0);
    assert.strictEqual(b.length, a.length);
    const worst = Math.max(...a.map((p, i) => Math.abs(p - b[i])));
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
    assert.ok(Math.max(...b) > 0.9, 'speech is found');
  });

  it('scores a whole recording in calls of many frames as the export does frame after frame, gate and state included', async () => {
    const fs0 = frames(gapped);
    const one = exported.clone();
    const expected = await probabilities(one, fs0);
    const v = sequence.clone();
    const got = await v.probabilities(gapped);
    assert.strictEqual(got.length, fs0.length);
    const worst = Math.max(...expected.map((p, i) => Math.abs(p - got[i])));
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
    // The silent second is gated (0, no model call) and the state crosses it and the calls' boundaries.
    const silent = got.subarray(Math.ceil((4 * 16000) / VAD_FRAME), Math.floor((5 * 16000) / VAD_FRAME));
    assert.ok(silent.length > 25 && silent.every((p) => p === 0));
    assert.strictEqual(v.gatedFrames, one.gatedFrames);
    assert.strictEqual(v.modelFrames, one.modelFrames);
    assert.strictEqual(v.gatedFrames + v.modelFrames, fs0.length);
    // The state it leaves is the one frame-by-frame scoring leaves: the next frames score alike.
    const next = frames(loadClip('jfk.wav').subarray(8 * 16000, 9 * 16000));
    assert.deepStrictEqual(
      (await probabilities(v, next)).map((p) => p.toFixed(5)),
      (await probabilities(one, next)).map((p) => p.toFixed(5)),
    );
  });

  it('the export without the lever scores a whole recording one frame per call, alike', async () => {
    const a = await exported.clone().probabilities(gapped);
    const b = await sequence.clone().probabilities(gapped);
    assert.ok(Math.max(...Array.from(a, (p, i) => Math.abs(p - b[i]))) < 1e-6);
  });

  it('refuses a model that is not Silero v5 with a sentence', () => {
    const other = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 16 }],
      graph: { name: 'g', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }], input: [{ name: 'x' }], output: [{ name: 'y' }] },
    }).finish();
    assert.throws(() => sileroSequenceModel(other), /no If on its sample rate/);
    // The real export is accepted, and the edit is deterministic.
    const bytes = fs.readFileSync(sileroFile());
    assert.deepStrictEqual(sileroSequenceModel(bytes), sileroSequenceModel(bytes));
  });
});
