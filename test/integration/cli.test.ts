import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AUDIO_DIR } from '../audioFixtures';
import { CLI, tempDir, words, writeWav } from './engineHarness';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const JFK = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const clip = (name: string) => path.join(AUDIO_DIR, name);

describe('voiceflow CLI contracts', function () {
  it('transcribe --json prints exactly one JSON object per file with the contract fields', async function () {
    const files = [clip('jfk.wav'), clip('cards/005.wav')];
    const { code, stdout } = await run(['transcribe', '--json', ...files]);
    assert.strictEqual(code, 0);
    const lines = stdout.trim().split('\n');
    assert.strictEqual(lines.length, 2);
    const objs = lines.map((l) => JSON.parse(l));
    for (const [i, o] of objs.entries()) {
      assert.strictEqual(o.file, files[i]);
      for (const k of ['text', 'audioMs', 'latencyMs', 'segments']) assert.ok(k in o, `field ${k}`);
      assert.ok(o.latencyMs > 0 && o.audioMs > 0);
      for (const s of o.segments) {
        for (const k of ['startMs', 'endMs', 'text', 'timings']) assert.ok(k in s, `segment field ${k}`);
        for (const k of ['melMs', 'encoderMs', 'decoderMs', 'tokens', 'totalMs']) assert.strictEqual(typeof s.timings[k], 'number');
      }
    }
    assert.strictEqual(words(objs[0].text), words(JFK));
    assert.strictEqual(words(objs[1].text), words('eight of spades four of clubs seven of hearts'));
  });

  it('transcribe --model base --language auto detects English', async function () {
    const { code, stdout } = await run(['transcribe', '--json', '--model', 'base', '--language', 'auto', clip('jfk.wav')]);
    assert.strictEqual(code, 0);
    const o = JSON.parse(stdout.trim());
    assert.strictEqual(o.language, 'en');
    assert.strictEqual(words(o.text), words(JFK));
  });

  it('transcribe reports a bad file as an error line and a non-zero exit, and goes on with the next', async function () {
    const tmp = tempDir('cli');
    try {
      const bad = path.join(tmp, 'bad.wav');
      fs.writeFileSync(bad, 'not audio');
      const { code, stdout, stderr } = await run(['transcribe', '--json', bad, clip('cards/001.wav')]);
      assert.strictEqual(code, 1);
      const [first, second] = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.strictEqual(first.file, bad);
      assert.strictEqual(first.error.code, -32002);
      assert.match(first.error.message, /not a WAV/);
      assert.strictEqual(words(second.text), words('ten of clubs'));
      assert.match(stderr, /not a WAV/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('listen --input --json prints one line per final utterance, in order', async function () {
    const { code, stdout } = await run(['listen', '--input', clip('cards/005.wav'), '--json']);
    assert.strictEqual(code, 0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.strictEqual(lines.length, 1);
    for (const l of lines) {
      for (const k of ['text', 'startMs', 'endMs', 'processingMs']) assert.ok(k in l, `field ${k}`);
      assert.ok(l.processingMs > 0 && l.endMs > l.startMs);
    }
    assert.strictEqual(words(lines[0].text), words('eight of spades four of clubs seven of hearts'));
  });

  it('listen --realtime plays at real-time pace: utterances come back with small processing times', async function () {
    const tmp = tempDir('cli-rt');
    try {
      // Two clips with a pause between them, played as a microphone would deliver them.
      const { loadClip } = await import('../audioFixtures');
      const a = loadClip('cards/001.wav');
      const b = loadClip('goforward.wav');
      const gap = 16000;
      const file = writeWav(tmp, 'two.wav', (a.length + gap + b.length + gap) / 16000, (i) =>
        i < a.length ? a[i] : i >= a.length + gap && i < a.length + gap + b.length ? b[i - a.length - gap] : 0,
      );
      const t0 = Date.now();
      const { code, stdout } = await run(['listen', '--input', file, '--realtime', '--json']);
      const elapsed = Date.now() - t0;
      assert.strictEqual(code, 0);
      assert.ok(elapsed >= ((a.length + gap + b.length) / 16000) * 1000, 'real-time pace: not faster than the audio');
      const lines = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepStrictEqual(
        lines.map((l) => words(l.text)),
        [words('ten of clubs'), words('go forward ten meters')],
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('an unknown command prints the usage and exits 2', async function () {
    const { code, stderr } = await run(['dance']);
    assert.strictEqual(code, 2);
    assert.match(stderr, /Usage:/);
  });
});
