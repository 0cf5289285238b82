import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MODEL_NAMES } from '../../src/protocol';
import { WHISPER_MODELS } from '../../src/engine/models/pins';
import { ROOT, tempDir } from './engineHarness';

describe('extension manifest', function () {
  it('packages with vsce into a vsix that holds the bundles', function () {
    const tmp = tempDir('vsix');
    try {
      const out = path.join(tmp, 'voiceflow.vsix');
      const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
      execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out], {
        cwd: ROOT,
        stdio: 'pipe',
      });
      assert.ok(fs.statSync(out).size > 1000);
      const listing = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: ROOT }).toString();
      for (const f of [
        'dist/extension.js',
        'dist/engine.js',
        'dist/captureWorker.js',
        'dist/whisperWorker.js',
        'dist/cli.js',
        'dist/webview/panel.js',
        'media/panel.css',
        'package.json',
      ]) {
        assert.ok(listing.split('\n').includes(f), `${f} is packaged`);
      }
      assert.ok(!/^src\//m.test(listing) && !/^test\//m.test(listing), 'sources and tests stay out of the vsix');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("a platform vsix keeps every pinned file of the installed models, and none of a downloaded one's", function () {
    // The per-platform ignore file (native/platforms.mjs) lists what is kept by name: a pinned file left out would
    // make the packaged engine refuse to load its model ("merges.txt is missing" was one).
    const ignore = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `import { ignoreFileFor } from ${JSON.stringify(path.join(ROOT, 'native', 'platforms.mjs'))}; process.stdout.write(ignoreFileFor('linux-x64'));`,
    ]).toString();
    const kept = new Set(
      ignore
        .split('\n')
        .filter((l) => l.startsWith('!'))
        .map((l) => l.slice(1)),
    );
    for (const name of MODEL_NAMES) {
      const pin = WHISPER_MODELS[name];
      const files = [pin.encoder.file, pin.decoder.file, ...Object.keys(pin.small)].map((f) => `node_modules/${pin.pkg}/${pin.dir}/${f}`);
      for (const f of files)
        assert.strictEqual(kept.has(f), !pin.download, `${f} ${pin.download ? 'is downloaded, not packaged' : 'is packaged'}`);
    }
  });

  it('activates after startup (for its status bar item), never on every event', function () {
    // Activation stays cheap: no engine until dictation starts (checked in the VS Code suite, "registers its commands").
    const pj = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.strictEqual(pj.main, './dist/extension.js');
    assert.deepStrictEqual(pj.activationEvents, ['onStartupFinished']);
    const ids = pj.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(ids.includes('voiceflow.startDictation'));
  });
});
