/**
 * Nothing leaves the machine: onnxruntime-node's own telemetry (on by default) keeps a device id and an event database
 * under ~/.cache/Microsoft/DeveloperTools/.onnxruntime (or $XDG_CACHE_HOME/Microsoft/...) from its first session on,
 * and looks up Microsoft's collector. Every process that loads onnxruntime runs with ORT_DISABLE_TELEMETRY=1.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { EngineClient } from '../../src/engineClient';
import { defaultCacheDir } from '../../src/engine/models/preparedCache';
import { AUDIO_DIR } from '../audioFixtures';
import { ENGINE, tempDir, words } from './engineHarness';

/** Every file and folder under `dir`, relative to it. */
function everythingUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('telemetry', function () {
  it('the engine writes nothing under a fresh HOME while it loads and transcribes (no onnxruntime telemetry)', async function () {
    const home = tempDir('home');
    try {
      const engine = EngineClient.start({
        enginePath: ENGINE,
        env: {
          HOME: home,
          XDG_CACHE_HOME: path.join(home, '.cache'),
          XDG_CONFIG_HOME: path.join(home, '.config'),
          XDG_DATA_HOME: path.join(home, '.local', 'share'),
          // The prepared models stay where this machine keeps them (outside the fresh HOME), so a cold start is not
          // repeated here; anything the engine or a dependency would write under HOME shows.
          VOICEFLOW_CACHE_DIR: defaultCacheDir(),
        },
      });
      try {
        await engine.initialize({ model: 'tiny' });
        const r = await engine.transcribeFile({ path: path.join(AUDIO_DIR, 'jfk.wav') });
        assert.strictEqual(
          words(r.text),
          words('And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.'),
        );
      } finally {
        // onnxruntime writes and flushes its telemetry at the latest when its environment ends with the process.
        await engine.shutdown();
      }
      const found = everythingUnder(home);
      const telemetry = found.filter((p) => /microsoft|onnxruntime|telemetry|deviceid/i.test(p));
      assert.deepStrictEqual(telemetry, [], `onnxruntime telemetry under the engine's HOME: ${telemetry.join(', ')}`);
      assert.deepStrictEqual(found, [], `the engine wrote under its HOME: ${found.join(', ')}`);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('the engine bundle turns telemetry off before it first loads onnxruntime', function () {
    const bundle = fs.readFileSync(ENGINE, 'utf8');
    const off = bundle.indexOf('process.env.ORT_DISABLE_TELEMETRY = "1"');
    const load = bundle.indexOf('require("onnxruntime-node")');
    assert.ok(off >= 0, 'dist/engine.js never sets ORT_DISABLE_TELEMETRY');
    assert.ok(load > off, 'dist/engine.js requires onnxruntime-node before it sets ORT_DISABLE_TELEMETRY');
  });

  it('tests that load onnxruntime in this process run with telemetry off (.mocharc.json requires it)', function () {
    assert.strictEqual(process.env.ORT_DISABLE_TELEMETRY, '1');
  });
});
