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

export function readSettings(): DictationSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const profile = c.get<Profile>('profile', 'fast');
  const chosen = profile === 'custom' || !(profile in PROFILES)
    ? { model: c.get<ModelName>('model', 'tiny'), encoderWindow: c.get<EncoderWindowMode>('encoderWindow', 'variable') }
    : PROFILES[profile];
  return {
    profile,
    model: chosen.model,
    language: c.get<string>('language', 'en'),
    microphone: c.get<number>('microphone', -1),
    captureBackend: c.get<CaptureBackend>('captureBackend', 'pvrecorder'),
    vadThreshold: c.get<number>('vadThreshold', 0.5),
    hangoverMs: c.get<number>('hangoverMs', 600),
    encoderWindow: chosen.encoderWindow,
    latencyWarningMs: c.get<number>('latencyWarningMs', 500),
    latencyErrorMs: c.get<number>('latencyErrorMs', 1500),
    audioSource: c.get<string>('audioSource', ''),
    audioSourceRealtime: c.get<boolean>('audioSourceRealtime', true),
    partials: c.get<boolean>('partials', true),
  };
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
