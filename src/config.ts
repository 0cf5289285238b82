/** The extension's settings (package.json contributes.configuration), read in one place. */
import * as vscode from 'vscode';
import { CaptureBackend, EncoderWindowMode, EngineConfig, ModelName } from './protocol';

export const SECTION = 'voiceflow';

export type Profile = 'fast' | 'balanced' | 'accurate' | 'custom';

/** What each profile sets; 'custom' takes voiceflow.model and voiceflow.encoderWindow as they are. */
export const PROFILES: Record<Exclude<Profile, 'custom'>, { model: ModelName; encoderWindow: EncoderWindowMode }> = {
  fast: { model: 'tiny', encoderWindow: 'variable' },
  balanced: { model: 'tiny', encoderWindow: 'full' },
  accurate: { model: 'base', encoderWindow: 'variable' },
};

export interface DictationSettings {
  profile: Profile;
  model: ModelName;
  language: string;
  microphone: number;
  captureBackend: CaptureBackend;
  vadThreshold: number;
  hangoverMs: number;
  encoderWindow: EncoderWindowMode;
  latencyWarningMs: number;
  latencyErrorMs: number;
  /** A WAV file to dictate from instead of the microphone (tests, demos); empty for the microphone. */
  audioSource: string;
  audioSourceRealtime: boolean;
  partials: boolean;
}

/**
 * Each setting's type, default and bounds, as package.json declares them (a unit test holds the two together).
 * VS Code hands back whatever settings.json holds, of any type, and its bounds are only hints in the editor: a value
 * that does not fit falls back to the default, with a warning in the log.
 */
type Rule<T> = { default: T; check: (v: unknown) => v is T; expect: string };

const oneOf = <T extends string>(values: readonly T[]): Rule<T>['check'] => (v: unknown): v is T => typeof v === 'string' && (values as readonly string[]).includes(v);
const integer = (min: number, max = Infinity): Rule<number>['check'] => (v: unknown): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const number = (min: number, max: number): Rule<number>['check'] => (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const string = (v: unknown): v is string => typeof v === 'string';
const boolean = (v: unknown): v is boolean => typeof v === 'boolean';
const rule = <T>(def: T, check: (v: unknown) => v is T, expect: string): Rule<T> => ({ default: def, check, expect });

export const SETTINGS: { [K in keyof DictationSettings]: Rule<DictationSettings[K]> } = {
  profile: rule<Profile>('fast', oneOf(['fast', 'balanced', 'accurate', 'custom']), 'fast, balanced, accurate or custom'),
  model: rule<ModelName>('tiny', oneOf(['tiny', 'base']), 'tiny or base'),
  language: rule('en', (v: unknown): v is string => typeof v === 'string' && v.trim() !== '', 'a language code such as en, or auto'),
  microphone: rule(-1, integer(-1), 'a device index (-1 for the system default)'),
  captureBackend: rule<CaptureBackend>('pvrecorder', oneOf(['pvrecorder', 'naudiodon']), 'pvrecorder or naudiodon'),
  vadThreshold: rule(0.5, number(0.05, 0.95), 'a number from 0.05 to 0.95'),
  hangoverMs: rule(600, integer(200, 3000), 'a whole number of ms from 200 to 3000'),
  encoderWindow: rule<EncoderWindowMode>('variable', oneOf(['variable', 'full']), 'variable or full'),
  latencyWarningMs: rule(500, integer(0), 'a whole number of ms, 0 or more'),
  latencyErrorMs: rule(1500, integer(0), 'a whole number of ms, 0 or more'),
  audioSource: rule('', string, 'the path of a WAV file, or empty'),
  audioSourceRealtime: rule(true, boolean, 'true or false'),
  partials: rule(true, boolean, 'true or false'),
};

let warnSink: (message: string) => void = (message) => console.warn(message);
/** Values already warned about: settings are read often, the warning is given once per wrong value. */
const warned = new Set<string>();

/** Where warnings about settings go (the extension's log). */
export function onSettingsWarning(sink: (message: string) => void): void {
  warnSink = sink;
}

/** The settings from `get` (a setting's raw value, undefined when unset), each checked against SETTINGS. */
export function checkSettings(get: (key: string) => unknown, warn: (message: string) => void = warnSink): DictationSettings {
  const read = <K extends keyof DictationSettings>(key: K): DictationSettings[K] => {
    const r = SETTINGS[key];
    const v = get(key);
    if (v === undefined || v === null) return r.default;
    if (r.check(v)) return v;
    const message = `Setting ${SECTION}.${key} is ${JSON.stringify(v)}, not ${r.expect}: using ${JSON.stringify(r.default)}.`;
    if (!warned.has(message)) {
      warned.add(message);
      warn(message);
    }
    return r.default;
  };
  const profile = read('profile');
  const chosen = profile === 'custom' ? { model: read('model'), encoderWindow: read('encoderWindow') } : PROFILES[profile];
  return {
    profile,
    model: chosen.model,
    language: read('language'),
    microphone: read('microphone'),
    captureBackend: read('captureBackend'),
    vadThreshold: read('vadThreshold'),
    hangoverMs: read('hangoverMs'),
    encoderWindow: chosen.encoderWindow,
    latencyWarningMs: read('latencyWarningMs'),
    latencyErrorMs: read('latencyErrorMs'),
    audioSource: read('audioSource'),
    audioSourceRealtime: read('audioSourceRealtime'),
    partials: read('partials'),
  };
}

export function readSettings(): DictationSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return checkSettings((key) => c.get<unknown>(key));
}

/** What the engine needs from the settings. */
export function engineConfig(s: DictationSettings): EngineConfig {
  return {
    model: s.model,
    language: s.language,
    vadThreshold: s.vadThreshold,
    hangoverMs: s.hangoverMs,
    encoderWindow: s.encoderWindow,
    partials: s.partials,
  };
}

/** Settings whose change the engine must hear about (the rest are read when used). */
export function affectsEngine(e: vscode.ConfigurationChangeEvent): boolean {
  return ['profile', 'model', 'language', 'vadThreshold', 'hangoverMs', 'encoderWindow', 'partials'].some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
