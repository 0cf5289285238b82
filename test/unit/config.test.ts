import * as assert from 'assert';
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import { packageRoot } from '../../src/engine/models/pins';

// src/config.ts imports `vscode`, which exists only inside the editor; checkSettings and SETTINGS do not use it.
const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return 'vscode';
  return resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: {} } as NodeJS.Module;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkSettings, SETTINGS } = require('../../src/config') as typeof import('../../src/config');
loader._resolveFilename = resolve;
delete require.cache.vscode;

type Schema = { type: string; default: unknown; enum?: unknown[]; minimum?: number; maximum?: number };
const declared = (JSON.parse(fs.readFileSync(path.join(packageRoot(__dirname), 'package.json'), 'utf8')).contributes.configuration.properties) as Record<string, Schema>;

function read(values: Record<string, unknown>): { settings: ReturnType<typeof checkSettings>; warnings: string[] } {
  const warnings: string[] = [];
  const settings = checkSettings((key) => values[key], (m) => warnings.push(m));
  return { settings, warnings };
}

describe('settings (src/config.ts)', () => {
  it('a number as the audio path falls back to the microphone, with a warning naming the setting', () => {
    const { settings, warnings } = read({ audioSource: 42 });
    assert.strictEqual(settings.audioSource, '');
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0], /voiceflow\.audioSource is 42, not the path of a WAV file/);
  });

  it('each wrong type falls back to its default', () => {
    const { settings, warnings } = read({
      profile: 7, language: ['en'], microphone: '2', captureBackend: 'alsa', vadThreshold: '0.3', hangoverMs: 12.5,
      latencyWarningMs: null, latencyErrorMs: -1, audioSourceRealtime: 'yes', partials: 0,
    });
    assert.deepStrictEqual(settings, {
      profile: 'fast', model: 'tiny', language: 'en', microphone: -1, captureBackend: 'pvrecorder', vadThreshold: 0.5,
      hangoverMs: 600, encoderWindow: 'variable', latencyWarningMs: 500, latencyErrorMs: 1500, audioSource: '',
      audioSourceRealtime: true, partials: true,
    });
    assert.strictEqual(warnings.length, 9, warnings.join('\n')); // null reads as unset
  });

  it('warns once per wrong value, not on every read', () => {
    const warnings: string[] = [];
    for (let i = 0; i < 3; i++) checkSettings((key) => (key === 'hangoverMs' ? 'long' : undefined), (m) => warnings.push(m));
    assert.strictEqual(warnings.length, 1);
  });

  it('keeps values of the right type as they are', () => {
    const values = {
      profile: 'custom', model: 'base', language: 'auto', microphone: 3, captureBackend: 'naudiodon', vadThreshold: 0.3,
      hangoverMs: 900, encoderWindow: 'full', latencyWarningMs: 0, latencyErrorMs: 2000, audioSource: '/tmp/a.wav',
      audioSourceRealtime: false, partials: false,
    };
    const { settings, warnings } = read(values);
    assert.deepStrictEqual(settings, values);
    assert.deepStrictEqual(warnings, []);
  });

  it("holds to package.json's declarations: every setting, its default, enum and bounds", () => {
    const ours = Object.keys(SETTINGS).map((k) => `voiceflow.${k}`).sort();
    assert.deepStrictEqual(ours, Object.keys(declared).filter((k) => k.startsWith('voiceflow.')).sort());
    for (const [key, rule] of Object.entries(SETTINGS) as [string, { default: unknown; check: (v: unknown) => boolean }][]) {
      const d = declared[`voiceflow.${key}`];
      assert.deepStrictEqual(rule.default, d.default, `${key} default`);
      assert.ok(rule.check(d.default), `${key}: the default passes`);
      for (const v of d.enum ?? []) assert.ok(rule.check(v), `${key}: enum value ${String(v)} passes`);
      if (d.enum) assert.ok(!rule.check('not-in-the-enum'), `${key}: a value outside the enum fails`);
      if (d.minimum !== undefined) {
        assert.ok(rule.check(d.minimum), `${key}: its minimum passes`);
        assert.ok(!rule.check(d.minimum - 1), `${key}: below its minimum fails`);
      }
      if (d.maximum !== undefined) {
        assert.ok(rule.check(d.maximum), `${key}: its maximum passes`);
        assert.ok(!rule.check(d.maximum + 1), `${key}: above its maximum fails`);
      }
      if (d.type === 'integer') assert.ok(!rule.check((d.default as number) + 0.5), `${key}: a fraction fails`);
      const wrongType = d.type === 'string' ? 1 : d.type === 'boolean' ? 'true' : String(d.default);
      assert.ok(!rule.check(wrongType), `${key}: ${JSON.stringify(wrongType)} (wrong type) fails`);
    }
  });
});
