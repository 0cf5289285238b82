import * as assert from 'assert';
import { DEFAULT_CONFIG } from '../../src/engine/engine';
import { checkConfig, CONFIG_CHECKS, LEVER_CHECKS } from '../../src/engine/params';
import { HANGOVER_MS, MAX_UTTERANCE_MS, PRE_ROLL_MS } from '../../src/engine/live/segmenter';
import { abValues, AnySpec, DEFAULT_LEVERS, ENGINE_SETTINGS, LEVER_SETTINGS } from '../../src/settings';

const rows = (table: object) => Object.entries(table) as [string, AnySpec][];

describe('settings table (src/settings.ts)', () => {
  it("the engine's defaults are the table's", () => {
    assert.deepStrictEqual(
      { ...DEFAULT_CONFIG, levers: undefined },
      {
        ...Object.fromEntries(
          rows(ENGINE_SETTINGS)
            .filter(([, s]) => s.default !== undefined)
            .map(([k, s]) => [k, s.default]),
        ),
        levers: undefined,
      },
    );
    assert.deepStrictEqual(DEFAULT_CONFIG.levers, {}, 'levers merge DEFAULT_LEVERS where used');
    assert.deepStrictEqual([PRE_ROLL_MS, HANGOVER_MS, MAX_UTTERANCE_MS], [300, 1500, 24000]);
    assert.deepStrictEqual(DEFAULT_LEVERS, Object.fromEntries(rows(LEVER_SETTINGS).map(([k, s]) => [k, s.default])));
  });

  it("the engine accepts every default and A/B value, and refuses what is outside each row's range or choices", () => {
    assert.doesNotThrow(() => checkConfig({ ...DEFAULT_CONFIG, levers: DEFAULT_LEVERS }));
    for (const [table, checks] of [
      [ENGINE_SETTINGS, CONFIG_CHECKS],
      [LEVER_SETTINGS, LEVER_CHECKS],
    ] as const) {
      for (const [key, spec] of rows(table)) {
        const check = (checks as Record<string, (v: unknown, name: string) => void>)[key];
        const fails = (v: unknown, why: string) =>
          assert.throws(() => check(v, key), Error, `${key}: ${why} (${JSON.stringify(v)}) is refused`);
        for (const v of abValues(spec)) assert.doesNotThrow(() => check(v, key), `${key}: ${String(v)}`);
        if (spec.type === 'enum') fails('not-a-choice', 'a value outside its choices');
        if (spec.type === 'boolean') fails('true', 'a string');
        if (spec.type === 'string') fails('x'.repeat((spec.maxChars ?? 0) + 1), 'a string longer than its limit');
        if (spec.type === 'strings') {
          assert.doesNotThrow(
            () =>
              check(
                Array.from({ length: spec.maxItems ?? 0 }, () => 'x'.repeat(spec.maxChars ?? 1)),
                key,
              ),
            `${key}: a full list`,
          );
          fails('kubectl', 'a string, not a list');
          fails(
            Array.from({ length: (spec.maxItems ?? 0) + 1 }, () => 'x'),
            'a list longer than its limit',
          );
          fails(['x'.repeat((spec.maxChars ?? 0) + 1)], 'a string longer than its limit');
          fails([''], 'an empty string');
          fails([7], 'a number');
        }
        if (spec.type === 'integer' || spec.type === 'number') {
          if (spec.type === 'integer') fails((spec.default as number) + 0.5, 'a fraction');
          for (const [bound, outside] of [
            [spec.min, -1],
            [spec.max, +1],
          ] as const) {
            if (bound === undefined) continue;
            if (spec.open) fails(bound, 'its bound, which the range leaves out');
            else assert.doesNotThrow(() => check(bound, key), `${key}: its bound ${bound}`);
            fails(bound + outside, 'beyond its bound');
          }
        }
      }
    }
  });
});
