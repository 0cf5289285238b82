/** The extension's settings (package.json contributes.configuration), read in one place. */
import * as vscode from 'vscode';
import { CaptureBackend, EncoderWindowMode, EngineConfig, ModelName } from './protocol';

export const SECTION = 'voiceflow';

export interface DictationSettings {
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
}

export function readSettings(): DictationSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    model: c.get<ModelName>('model', 'tiny'),
    language: c.get<string>('language', 'en'),
    microphone: c.get<number>('microphone', -1),
    captureBackend: c.get<CaptureBackend>('captureBackend', 'pvrecorder'),
    vadThreshold: c.get<number>('vadThreshold', 0.5),
    hangoverMs: c.get<number>('hangoverMs', 600),
    encoderWindow: c.get<EncoderWindowMode>('encoderWindow', 'variable'),
    latencyWarningMs: c.get<number>('latencyWarningMs', 500),
    latencyErrorMs: c.get<number>('latencyErrorMs', 1500),
    audioSource: c.get<string>('audioSource', ''),
    audioSourceRealtime: c.get<boolean>('audioSourceRealtime', true),
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
  };
}

/** Settings whose change the engine must hear about (the rest are read when used). */
export function affectsEngine(e: vscode.ConfigurationChangeEvent): boolean {
  return ['model', 'language', 'vadThreshold', 'hangoverMs', 'encoderWindow'].some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
