/** The extension's settings (package.json contributes.configuration), read in one place; the table is src/settings.ts. */
import * as vscode from 'vscode';
import { EngineConfig } from './protocol';
import { BOOST_WORDS } from './grammar/tables';
import { AnySpec, ENGINE_USER_SETTINGS, PROFILES, Profile, USER_SETTINGS, UserSettingValues } from './settings';

export { PROFILES, type Profile } from './settings';

export const SECTION = 'voiceflow';

export type DictationSettings = UserSettingValues;

/**
 * Each setting's check, derived from its row in USER_SETTINGS. VS Code hands back whatever settings.json holds, of
 * any type, and its bounds are only hints in the editor: a value that does not fit falls back to the default, with a
 * warning in the log.
 */
type Rule<T> = { default: T; check: (v: unknown) => v is T; expect: string };

const either = (values: readonly unknown[]) => `${values.slice(0, -1).join(', ')} or ${String(values[values.length - 1])}`;

function ruleOf<T>(spec: AnySpec): Rule<T> {
  const { type, min = -Infinity, max = Infinity } = spec;
  const unit = spec.unit ? ` of ${spec.unit}` : '';
  const range = Number.isFinite(max) ? ` from ${min} to ${max}` : Number.isFinite(min) ? `, ${min} or more` : '';
  const check = (v: unknown): boolean => {
    switch (type) {
      case 'enum':
        return (spec.values ?? []).includes(v);
      case 'boolean':
        return typeof v === 'boolean';
      case 'integer':
        return Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
      case 'number':
        return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
      case 'string':
        return typeof v === 'string' && (!spec.nonBlank || v.trim() !== '');
      case 'strings':
        return Array.isArray(v) && v.every((s) => typeof s === 'string');
    }
  };
  const expect =
    type === 'enum'
      ? either(spec.values ?? [])
      : type === 'boolean'
        ? 'true or false'
        : type === 'integer'
          ? `a whole number${unit}${range}`
          : type === 'number'
            ? `a number${unit}${range}`
            : type === 'strings'
              ? 'a list of strings'
              : (spec.expect ?? 'a string');
  return { default: spec.default as T, check: check as (v: unknown) => v is T, expect };
}

export const SETTINGS = Object.fromEntries(Object.entries(USER_SETTINGS).map(([k, spec]) => [k, ruleOf(spec as AnySpec)])) as {
  [K in keyof DictationSettings]: Rule<DictationSettings[K]>;
};

/**
 * Values earlier versions wrote that mean something else now: read as the default, with a note to the user once.
 * The microphone was a device index, which changes when devices come and go; it is a name now.
 */
const LEGACY: Partial<Record<keyof DictationSettings, (v: unknown) => string | undefined>> = {
  microphone: (v) =>
    typeof v === 'number'
      ? `The microphone setting holds device number ${v} from an earlier version; VoiceFlow now remembers a microphone ` +
        'by name. Using the system default: choose one with VoiceFlow: Select Microphone.'
      : undefined,
};

let warnSink: (message: string) => void = (message) => console.warn(message);
let noteSink: (message: string) => void = (message) => console.info(message);
/** Values already warned about: settings are read often, the warning is given once per wrong value. */
const warned = new Set<string>();

/** Where warnings about settings go (the extension's log). */
export function onSettingsWarning(sink: (message: string) => void): void {
  warnSink = sink;
}

/** Where notes to the user about settings go (a value from an earlier version, read as the default). */
export function onSettingsNote(sink: (message: string) => void): void {
  noteSink = sink;
}

/** The settings from `get` (a setting's raw value, undefined when unset), each checked against SETTINGS. */
export function checkSettings(
  get: (key: string) => unknown,
  warn: (message: string) => void = warnSink,
  note: (message: string) => void = noteSink,
): DictationSettings {
  const once = (message: string, to: (message: string) => void) => {
    if (warned.has(message)) return;
    warned.add(message);
    to(message);
  };
  const read = <K extends keyof DictationSettings>(key: K): DictationSettings[K] => {
    const r = SETTINGS[key];
    const v = get(key);
    if (v === undefined || v === null) return r.default;
    if (r.check(v)) return v;
    const legacy = LEGACY[key]?.(v);
    if (legacy) once(legacy, note);
    else once(`Setting ${SECTION}.${key} is ${JSON.stringify(v)}, not ${r.expect}: using ${JSON.stringify(r.default)}.`, warn);
    return r.default;
  };
  const profile: Profile = read('profile');
  const chosen = profile === 'custom' ? { model: read('model'), encoderWindow: read('encoderWindow') } : PROFILES[profile];
  const settings = { profile, ...chosen } as Record<keyof DictationSettings, unknown>;
  for (const key of Object.keys(SETTINGS) as (keyof DictationSettings)[]) if (!(key in settings)) settings[key] = read(key);
  return settings as DictationSettings;
}

export function readSettings(): DictationSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return checkSettings((key) => c.get<unknown>(key));
}

/** What the engine needs from the settings: those that apply to the engine and are fields of its configuration. */
export function engineConfig(s: DictationSettings): EngineConfig {
  const fields = ENGINE_USER_SETTINGS.filter((k): k is keyof DictationSettings & keyof EngineConfig => k !== 'profile');
  // With the grammar on, the engine listens for its words ("comma", "camel case").
  return { ...Object.fromEntries(fields.map((k) => [k, s[k]])), boostWords: s.grammar ? [...BOOST_WORDS] : [] } as EngineConfig;
}

/** Settings whose change the engine must hear about (the rest are read when used). */
export function affectsEngine(e: vscode.ConfigurationChangeEvent): boolean {
  return [...ENGINE_USER_SETTINGS, 'grammar'].some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
