/**
 * Bad input and a bad environment never take the engine down: every request's params are checked against one
 * schema (a failed request changes nothing), only regular audio files of a bounded size are read, a cache folder
 * that cannot be written costs only time, models not in use are released, and model files damaged in place are
 * found in the background.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EngineErrorCode, LogNotification } from '../../src/protocol';
import { WHISPER_MODELS, whisperFiles } from '../../src/engine/models/pins';
import { AUDIO_DIR } from '../audioFixtures';
import { rejects, startEngine, tempDir, words } from './engineHarness';

const clip = (name: string) => path.join(AUDIO_DIR, name);

const CARD = 'cards/001.wav';
const CARD_WORDS = 'ten of clubs';

describe('engine inputs: one schema for every request', function () {
  const engine = startEngine();
  const logs: LogNotification[] = [];
  engine.onLog((n) => logs.push(n));
  let tmp: string;
  before(async () => {
    tmp = tempDir('inputs');
    await engine.initialize({ model: 'tiny' });
  });
  after(async () => {
    await engine.shutdown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses params of the wrong type or range with a sentence, and keeps serving', async function () {
    const bad: Array<[Promise<unknown>, RegExp]> = [
      [engine.transcribeFile({ path: 5 as unknown as string }), /path must be a non-empty string, not 5/],
      [engine.start({ source: { kind: 'file', path: 3 as unknown as string, realtime: false } }), /source.path must be a non-empty string/],
      [
        engine.start({ source: { kind: 'tape' } as unknown as { kind: 'file'; path: string; realtime: boolean } }),
        /source.kind must be "file" or "microphone"/,
      ],
      [engine.configure({ modelDir: 5 as unknown as string }), /modelDir must be a non-empty string/],
      [engine.configure({ maxUtteranceMs: 0 }), /maxUtteranceMs must be a number from 1000 to 28000 ms, not 0/],
      [engine.configure({ hangoverMs: Number.NaN }), /hangoverMs must be a number/],
      [engine.configure({ vadThreshold: 1 }), /vadThreshold must be between 0 and 1/],
      [engine.configure({ hangover: 500 } as never), /unknown field "hangover"/],
      [engine.configure({ levers: { threads: 0 } }), /levers.threads/],
      [engine.listDevices({ backend: 'alsa' as never }), /backend must be "pvrecorder", "naudiodon"/],
    ];
    for (const [p, pattern] of bad) await rejects(p, EngineErrorCode.InvalidParams, pattern);
    const r = await engine.transcribeFile({ path: clip(CARD) });
    assert.strictEqual(words(r.text), CARD_WORDS);
  });

  it('quotes at most a short prefix of a huge value, in the error and in the log', async function () {
    const huge = `/tmp/${'a'.repeat(5_000_000)}`;
    logs.length = 0;
    try {
      await engine.transcribeFile({ path: huge });
      assert.fail('expected an error');
    } catch (err) {
      const message = (err as Error).message;
      assert.match(message, /at most 4096 are accepted/);
      assert.ok(message.length < 300, `the error is ${message.length} characters long`);
    }
    assert.ok(
      logs.every((l) => l.message.length < 400),
      'no log line quotes the value',
    );
  });

  it('a failed configure or initialize changes nothing', async function () {
    await rejects(engine.configure({ language: 'xx', hangoverMs: 700 }), EngineErrorCode.InvalidParams, /Unknown language "xx"/);
    await rejects(engine.initialize({ model: 'tiny', language: 'qq' }), EngineErrorCode.InvalidParams, /Unknown language "qq"/);
    // Still English, still the same model: the bad language did not stick.
    const r = await engine.transcribeFile({ path: clip(CARD) });
    assert.strictEqual(r.language, 'en');
    assert.strictEqual(words(r.text), CARD_WORDS);
  });

  it('reads only regular files of a bounded size: a device, a FIFO, a folder and a huge sparse file are refused at once', async function () {
    const fifo = path.join(tmp, 'fifo.wav');
    execFileSync('mkfifo', [fifo]);
    const sparse = path.join(tmp, 'sparse.wav');
    const fd = fs.openSync(sparse, 'w');
    fs.ftruncateSync(fd, 1024 ** 3);
    fs.closeSync(fd);
    for (const file of ['/dev/zero', fifo]) {
      await rejects(engine.transcribeFile({ path: file }), EngineErrorCode.UnsupportedWav, /not a regular file/);
    }
    await rejects(engine.transcribeFile({ path: tmp }), EngineErrorCode.FileNotFound, /is a folder/);
    await rejects(
      engine.start({ source: { kind: 'file', path: '/dev/zero', realtime: false } }),
      EngineErrorCode.UnsupportedWav,
      /not a regular file/,
    );
    await rejects(engine.transcribeFile({ path: sparse }), EngineErrorCode.UnsupportedWav, /1024 MiB; audio files of up to 256 MiB/);
    const m = await engine.metrics();
    assert.ok(m.rssBytes < 600e6, `engine RSS ${Math.round(m.rssBytes / 1e6)} MB after the refused files`);
    const r = await engine.transcribeFile({ path: clip(CARD) });
    assert.strictEqual(words(r.text), CARD_WORDS);
  });

  it('releases the models of an earlier configuration once nothing uses them', async function () {
    logs.length = 0;
    await engine.configure({ encoderWindow: 'full' });
    assert.strictEqual(words((await engine.transcribeFile({ path: clip(CARD) })).text), CARD_WORDS);
    await engine.configure({ encoderWindow: 'variable' });
    assert.strictEqual(words((await engine.transcribeFile({ path: clip(CARD) })).text), CARD_WORDS);
    const released = logs.filter((l) => /^Released Whisper tiny/.test(l.message));
    assert.strictEqual(released.length, 2, `release logs: ${JSON.stringify(logs.map((l) => l.message))}`);
  });
});

describe('engine inputs: a model cache that cannot be written costs only time', function () {
  let tmp: string;
  before(() => (tmp = tempDir('cache')));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const cases: Array<[string, () => string]> = [
    [
      "a file in the folder's place",
      () => {
        const file = path.join(tmp, 'a-file');
        fs.writeFileSync(file, 'x');
        return path.join(file, 'cache');
      },
    ],
    ['a folder under /proc', () => '/proc/voiceflow-cache-test'],
  ];
  for (const [what, dir] of cases) {
    it(`${what}: models prepared in memory, one warning, no temp files`, async function () {
      const cacheDir = dir();
      const engine = startEngine();
      const warnings: string[] = [];
      engine.onLog((n) => n.level === 'warn' && warnings.push(n.message));
      try {
        const init = await engine.initialize({ model: 'tiny', cacheDir });
        assert.strictEqual(init.cachedEdits, false);
        assert.strictEqual(words((await engine.transcribeFile({ path: clip(CARD) })).text), CARD_WORDS);
        const cacheWarnings = warnings.filter((w) => /model cache cannot be used/.test(w));
        assert.strictEqual(cacheWarnings.length, 1, `warnings: ${JSON.stringify(warnings)}`);
      } finally {
        await engine.shutdown();
      }
      assert.deepStrictEqual(
        fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp')),
        [],
      );
    });
  }

  it('a full disk: models prepared in memory, a warning, no temp files left', async function () {
    const mount = path.join(tmp, 'full');
    fs.mkdirSync(mount);
    // A 1 MiB tmpfs: the probe file fits, the prepared models (10-30 MB) do not.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1M', 'tmpfs', mount]);
    const engine = startEngine();
    const warnings: string[] = [];
    engine.onLog((n) => n.level === 'warn' && warnings.push(n.message));
    try {
      const init = await engine.initialize({ model: 'tiny', cacheDir: mount });
      assert.strictEqual(init.cachedEdits, false);
      assert.strictEqual(words((await engine.transcribeFile({ path: clip(CARD) })).text), CARD_WORDS);
      assert.ok(
        warnings.some((w) => /Could not write the prepared .* to the model cache/.test(w)),
        `warnings: ${JSON.stringify(warnings)}`,
      );
      const left = fs.readdirSync(path.join(mount, 'models'));
      assert.deepStrictEqual(
        left.filter((f) => f.endsWith('.tmp')),
        [],
        `left in the cache: ${left.join(', ')}`,
      );
    } finally {
      await engine.shutdown();
      execFileSync('umount', [mount]);
    }
  });
});

describe('engine inputs: model files damaged in place', function () {
  let tmp: string;
  before(() => (tmp = tempDir('damaged')));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A model folder laid out like the package's, every file copied (so it can be damaged). */
  function copyModel(): string {
    const real = whisperFiles('tiny');
    const root = path.join(tmp, `models-${Date.now()}`);
    const dir = path.join(root, 'tiny');
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    for (const f of fs.readdirSync(real.dir))
      if (f.endsWith('.json') || f.endsWith('.txt')) fs.copyFileSync(path.join(real.dir, f), path.join(dir, f));
    fs.copyFileSync(real.encoder, path.join(dir, WHISPER_MODELS.tiny.encoder.file));
    fs.copyFileSync(real.decoder, path.join(dir, WHISPER_MODELS.tiny.decoder.file));
    return root;
  }

  /** Flips bytes in the middle of `file` and puts its mtime back, as a bad disk or a careless tool would. */
  function damageInPlace(file: string): void {
    const stat = fs.statSync(file);
    // touch -r copies the timestamps to the nanosecond (fs.utimesSync rounds them).
    const reference = `${file}.times`;
    execFileSync('touch', ['-r', file, reference]);
    const fd = fs.openSync(file, 'r+');
    const at = Math.floor(stat.size / 2);
    const b = Buffer.alloc(64);
    fs.readSync(fd, b, 0, b.length, at);
    for (let i = 0; i < b.length; i++) b[i] ^= 0x5a;
    fs.writeSync(fd, b, 0, b.length, at);
    fs.closeSync(fd);
    execFileSync('touch', ['-r', reference, file]);
    fs.rmSync(reference);
    assert.strictEqual(fs.statSync(file).mtimeMs, stat.mtimeMs);
  }

  it('a pinned config or tokenizer file that is not the pinned one is named', async function () {
    const modelDir = copyModel();
    fs.appendFileSync(path.join(modelDir, 'tiny', 'vocab.json'), ' ');
    const engine = startEngine();
    try {
      await rejects(
        engine.initialize({ model: 'tiny', modelDir }),
        EngineErrorCode.ModelChecksumMismatch,
        /vocab\.json is corrupt or not the pinned one/,
      );
      fs.rmSync(path.join(modelDir, 'tiny', 'config.json'));
      await rejects(engine.initialize({ model: 'tiny', modelDir }), EngineErrorCode.ModelMissing, /config\.json is missing/);
    } finally {
      await engine.shutdown();
    }
  });

  it('a model file damaged after it was verified is found in the background after the next start', async function () {
    const modelDir = copyModel();
    const cacheDir = path.join(tmp, `cache-${Date.now()}`);
    const first = startEngine();
    try {
      await first.initialize({ model: 'tiny', modelDir, cacheDir });
    } finally {
      await first.shutdown();
    }
    // Same size, same mtime, same inode: the stamp still matches, so the start trusts it; the background check does not.
    damageInPlace(path.join(modelDir, 'tiny', WHISPER_MODELS.tiny.decoder.file));
    const engine = startEngine();
    const errors: string[] = [];
    engine.onError((n) => errors.push(n.message));
    try {
      await engine.initialize({ model: 'tiny', modelDir, cacheDir });
      const deadline = Date.now() + 30000;
      while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.match(errors[0] ?? '(none)', /decoder_model_merged_quantized\.onnx changed on disk after it was verified/);
      // The next use hashes the file again and refuses it, naming it.
      await rejects(
        engine.transcribeFile({ path: clip(CARD) }),
        EngineErrorCode.ModelChecksumMismatch,
        /decoder_model_merged_quantized\.onnx is corrupt/,
      );
    } finally {
      await engine.shutdown();
    }
  });

  it('a prepared cache entry damaged in place is removed in the background and prepared again', async function () {
    const cacheDir = path.join(tmp, `cache-entry-${Date.now()}`);
    const first = startEngine();
    try {
      await first.initialize({ model: 'tiny', cacheDir });
    } finally {
      await first.shutdown();
    }
    // The entry's weights (its data file): onnxruntime loads damaged weights without a word.
    const entries = fs.readdirSync(path.join(cacheDir, 'models')).filter((f) => /encoder.*\.onnx\.data$/.test(f));
    assert.strictEqual(entries.length, 1);
    damageInPlace(path.join(cacheDir, 'models', entries[0]));
    const engine = startEngine();
    const errors: string[] = [];
    engine.onError((n) => errors.push(n.message));
    try {
      await engine.initialize({ model: 'tiny', cacheDir });
      const deadline = Date.now() + 30000;
      while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.match(errors[0] ?? '(none)', /prepared model in the cache .* changed on disk/);
      // Prepared again from the pinned file: the words are right.
      assert.strictEqual(words((await engine.transcribeFile({ path: clip(CARD) })).text), CARD_WORDS);
    } finally {
      await engine.shutdown();
    }
  });
});
