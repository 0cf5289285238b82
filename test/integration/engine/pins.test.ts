import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EngineErrorCode } from '../../../src/protocol';
import { EngineError } from '../../../src/engine/errors';
import {
  isModelName,
  packageRoot,
  SILERO_V5,
  sileroFile,
  verifyFile,
  verifyWhisper,
  WHISPER_MODELS,
  whisperFiles,
} from '../../../src/engine/models/pins';

async function rejectsWith(p: Promise<unknown>, code: EngineErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof EngineError, `expected an EngineError, got ${String(err)}`);
    assert.strictEqual(err.code, code, `expected ${EngineErrorCode[code]}, got ${EngineErrorCode[err.code]}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('models', function () {
  this.timeout(60000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-models-'));
  });

  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('finds the package root', () => {
    const root = packageRoot();
    assert.strictEqual(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).name, 'voiceflow-dictation');
  });

  it('knows the model names', () => {
    assert.ok(isModelName('tiny'));
    assert.ok(isModelName('base'));
    assert.ok(!isModelName('huge'));
    assert.ok(!isModelName('Tiny'));
  });

  it('rejects an unknown model with UnknownModel', () => {
    assert.throws(
      () => whisperFiles('huge'),
      (err: unknown) => err instanceof EngineError && err.code === EngineErrorCode.UnknownModel && /tiny, base/.test(err.message),
    );
  });

  it('locates the tiny model files in its npm package, at their pinned sizes', () => {
    const files = whisperFiles('tiny');
    assert.strictEqual(files.name, 'tiny');
    assert.strictEqual(fs.statSync(files.encoder).size, WHISPER_MODELS.tiny.encoder.bytes);
    assert.strictEqual(fs.statSync(files.decoder).size, WHISPER_MODELS.tiny.decoder.bytes);
    assert.ok(fs.existsSync(path.join(files.dir, 'vocab.json')));
  });

  it('lays out a custom model folder as <dir>/<name>/onnx/...', () => {
    const files = whisperFiles('base', '/models');
    assert.strictEqual(files.dir, path.join('/models', 'base'));
    assert.strictEqual(files.encoder, path.join('/models', 'base', 'onnx', 'encoder_model_quantized.onnx'));
    assert.strictEqual(files.decoder, path.join('/models', 'base', 'onnx', 'decoder_model_merged_quantized.onnx'));
  });

  it('verifies the installed tiny model and the Silero VAD against their pins', async () => {
    await verifyWhisper(whisperFiles('tiny'));
    assert.strictEqual(fs.statSync(sileroFile()).size, SILERO_V5.bytes);
    await verifyFile(sileroFile(), SILERO_V5);
  });

  it('reports a missing file with ModelMissing', async () => {
    await rejectsWith(verifyFile(path.join(tmp, 'nope.onnx'), WHISPER_MODELS.tiny.encoder), EngineErrorCode.ModelMissing, /missing/);
    await rejectsWith(verifyWhisper(whisperFiles('tiny', tmp)), EngineErrorCode.ModelMissing);
  });

  it('rejects a tampered copy of the tiny encoder with ModelChecksumMismatch', async () => {
    const copy = path.join(tmp, 'encoder_model_quantized.onnx');
    fs.copyFileSync(whisperFiles('tiny').encoder, copy);
    await verifyFile(copy, WHISPER_MODELS.tiny.encoder); // an intact copy passes
    const fd = fs.openSync(copy, 'r+');
    try {
      const at = 5_000_000;
      const b = Buffer.alloc(1);
      fs.readSync(fd, b, 0, 1, at);
      b[0] ^= 0x01;
      fs.writeSync(fd, b, 0, 1, at);
    } finally {
      fs.closeSync(fd);
    }
    // Make sure the change is visible in the mtime even on a coarse-grained file system.
    const later = new Date(Date.now() + 2000);
    fs.utimesSync(copy, later, later);
    await rejectsWith(verifyFile(copy, WHISPER_MODELS.tiny.encoder), EngineErrorCode.ModelChecksumMismatch, /corrupt/);
  });

  it("rejects an intact file checked against another file's pin, even after it was verified against its own", async () => {
    await verifyFile(sileroFile(), SILERO_V5);
    await rejectsWith(verifyFile(sileroFile(), WHISPER_MODELS.tiny.encoder), EngineErrorCode.ModelChecksumMismatch);
    await rejectsWith(verifyFile(sileroFile(), { ...SILERO_V5, sha256: '0'.repeat(64) }), EngineErrorCode.ModelChecksumMismatch, /corrupt/);
  });

  it('rejects a truncated copy by its size, before hashing', async () => {
    const copy = path.join(tmp, 'truncated.onnx');
    fs.writeFileSync(copy, fs.readFileSync(sileroFile()).subarray(0, 1000));
    await rejectsWith(verifyFile(copy, SILERO_V5), EngineErrorCode.ModelChecksumMismatch, /1000 bytes, expected 2327524/);
  });

  it('reports a folder where a model file should be with ModelMissing', async () => {
    const dir = path.join(tmp, 'a-folder.onnx');
    fs.mkdirSync(dir);
    await rejectsWith(verifyFile(dir, SILERO_V5), EngineErrorCode.ModelMissing, /not a file/);
  });

  it('trusts a stamp from an earlier start only while the file is unchanged', async () => {
    const stamps = path.join(tmp, 'stamps');
    const copy = path.join(tmp, 'stamped.onnx');
    fs.copyFileSync(sileroFile(), copy);
    await verifyFile(copy, SILERO_V5, stamps);
    const written = JSON.parse(fs.readFileSync(path.join(stamps, 'verified.json'), 'utf8'));
    assert.strictEqual(written[copy].sha256, SILERO_V5.sha256);
    // Rewritten with the same size: another inode and mtime, so it is hashed again and caught.
    const bytes = fs.readFileSync(copy);
    bytes[1_000_000] ^= 0x01;
    fs.rmSync(copy);
    fs.writeFileSync(copy, bytes);
    const later = new Date(Date.now() + 2000);
    fs.utimesSync(copy, later, later);
    await rejectsWith(verifyFile(copy, SILERO_V5, stamps), EngineErrorCode.ModelChecksumMismatch, /corrupt/);
  });
});
