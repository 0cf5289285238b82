import * as assert from 'assert';
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import { packageRoot } from '../../src/engine/models/pins';
import { CONFIG_CHECKS } from '../../src/engine/params';
import { ENGINE_SETTINGS, ENGINE_USER_SETTINGS, FOR_TESTING, manifestProperties, USER_SETTINGS } from '../../src/settings';

// src/config.ts imports `vscode`, which exists only inside the editor; checkSettings and SETTINGS do not use it.
const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return 'vscode';
  return resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: {} } as NodeJS.Module;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkSettings, engineConfig, SETTINGS } = require('../../src/config') as typeof import('../../src/config');
loader._resolveFilename = resolve;
delete require.cache.vscode;

type Schema = { type: string; default: unknown; enum?: unknown[]; minimum?: number; maximum?: number };
const declared = JSON.parse(fs.readFileSync(path.join(packageRoot(__dirname), 'package.json'), 'utf8')).contributes.configuration
  .properties as Record<string, Schema>;

function read(values: Record<string, unknown>): { settings: ReturnType<typeof checkSettings>; warnings: string[]; notes: string[] } {
  const warnings: string[] = [];
  const notes: string[] = [];
  const settings = checkSettings(
    (key) => values[key],
    (m) => warnings.push(m),
    (m) => notes.push(m),
  );
  return { settings, warnings, notes };
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
      profile: 7,
      language: ['en'],
      microphone: true,
      captureBackend: 'alsa',
      vadThreshold: '0.3',
      hangoverMs: 12.5,
      latencyWarningMs: null,
      latencyErrorMs: -1,
      audioSourceRealtime: 'yes',
      partials: 0,
      vocabulary: 'kubectl',
    });
    // Each one its default (the defaults themselves are held to package.json below).
    assert.deepStrictEqual(settings, Object.fromEntries(Object.entries(USER_SETTINGS).map(([k, spec]) => [k, spec.default])));
    assert.strictEqual(warnings.length, 10, warnings.join('\n')); // null reads as unset
  });

  it('warns once per wrong value, not on every read', () => {
    const warnings: string[] = [];
    for (let i = 0; i < 3; i++)
      checkSettings(
        (key) => (key === 'hangoverMs' ? 'long' : undefined),
        (m) => warnings.push(m),
      );
    assert.strictEqual(warnings.length, 1);
  });

  it('keeps values of the right type as they are', () => {
    const values = {
      profile: 'custom',
      model: 'base',
      language: 'auto',
      microphone: 'USB Headset Mono',
      captureBackend: 'naudiodon',
      vadThreshold: 0.3,
      hangoverMs: 900,
      encoderWindow: 'full',
      latencyWarningMs: 0,
      latencyErrorMs: 2000,
      audioSource: '/tmp/a.wav',
      audioSourceRealtime: false,
      partials: false,
      grammar: false,
      vocabulary: ['kubectl', 'useState'],
      vocabularyFromEditor: true,
    };
    const { settings, warnings } = read(values);
    assert.deepStrictEqual(settings, values);
    assert.deepStrictEqual(warnings, []);
  });

  it('reads a device number from an earlier version as the default microphone, with one note to the user', () => {
    const notes: string[] = [];
    const warnings: string[] = [];
    for (let i = 0; i < 3; i++) {
      assert.strictEqual(
        checkSettings(
          (key) => (key === 'microphone' ? 7 : undefined),
          (m) => warnings.push(m),
          (m) => notes.push(m),
        ).microphone,
        '',
      );
    }
    assert.strictEqual(notes.length, 1, notes.join('\n'));
    assert.match(notes[0], /device number 7 .* by name\. Using the system default: choose one with VoiceFlow: Select Microphone/);
    assert.deepStrictEqual(warnings, []);
  });

  it("package.json's settings are the table's (src/settings.ts): default, enum, bounds, descriptions, order", () => {
    const table = manifestProperties();
    const diff = Object.keys({ ...table, ...declared }).filter((k) => JSON.stringify(table[k]) !== JSON.stringify(declared[k]));
    assert.deepStrictEqual(
      diff,
      [],
      `package.json contributes.configuration.properties differs from src/settings.ts for ${diff.join(', ')}; the table's version ` +
        `(paste it into package.json):\n${JSON.stringify(Object.fromEntries(diff.map((k) => [k, table[k]])), null, 2)}`,
    );
  });

  it('settings come in the order users change them; the ones for testing last, marked so', () => {
    const byOrder = Object.entries(USER_SETTINGS)
      .sort(([, a], [, b]) => a.order - b.order)
      .map(([k]) => k);
    assert.deepStrictEqual(byOrder.slice(0, 3), ['profile', 'language', 'microphone']);
    const testing = byOrder.filter((k) => USER_SETTINGS[k as keyof typeof USER_SETTINGS].description.startsWith(FOR_TESTING));
    assert.deepStrictEqual(testing, ['audioSource', 'audioSourceRealtime']);
    assert.deepStrictEqual(byOrder.slice(-testing.length), testing);
    assert.strictEqual(new Set(Object.values(USER_SETTINGS).map((s) => s.order)).size, byOrder.length, 'no two settings share a place');
  });

  it('what the settings send to the engine passes its checks, and the engine accepts every value a setting allows', () => {
    const config = engineConfig(checkSettings(() => undefined));
    // The settings that reach the engine, and the grammar's words (on by default) for it to favour.
    assert.deepStrictEqual(Object.keys(config).sort(), [...ENGINE_USER_SETTINGS.filter((k) => k !== 'profile'), 'boostWords'].sort());
    assert.ok(config.boostWords?.includes('comma'));
    assert.deepStrictEqual(engineConfig(checkSettings((k) => (k === 'grammar' ? false : undefined))).boostWords, [], 'none without it');
    for (const [key, value] of Object.entries(config))
      assert.doesNotThrow(() => CONFIG_CHECKS[key as keyof typeof CONFIG_CHECKS](value, key));
    // A setting that reaches the engine with the same name stays within what the engine accepts, and defaults alike.
    for (const key of ENGINE_USER_SETTINGS) {
      if (!(key in ENGINE_SETTINGS)) continue;
      const user = USER_SETTINGS[key] as { default: unknown; min?: number; max?: number };
      const engine = ENGINE_SETTINGS[key as keyof typeof ENGINE_SETTINGS] as { default: unknown };
      assert.deepStrictEqual(user.default, engine.default, `${key}: the same default on both sides`);
      const check = CONFIG_CHECKS[key as keyof typeof CONFIG_CHECKS];
      for (const v of [user.min, user.max]) if (v !== undefined) assert.doesNotThrow(() => check(v, key), `${key}: the engine takes ${v}`);
    }
  });

  it("holds to package.json's declarations: every setting, its default, enum and bounds", () => {
    const ours = Object.keys(SETTINGS)
      .map((k) => `voiceflow.${k}`)
      .sort();
    assert.deepStrictEqual(
      ours,
      Object.keys(declared)
        .filter((k) => k.startsWith('voiceflow.'))
        .sort(),
    );
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
