/**
 * Loaders for the native capture addons, the one place that knows their packages. Both are N-API, so one build
 * serves Node and Electron's Node. naudiodon compiles at install and is optional: when it is missing or fails to
 * load, the error says so and names the default backend.
 */
import { EngineErrorCode } from '../src/protocol';
import { EngineError } from '../src/engine/errors';

export interface PvRecorderInstance {
  start(): void;
  stop(): void;
  readSync(): Int16Array;
  release(): void;
  getSelectedDevice(): string;
  readonly sampleRate: number;
}
export interface PvRecorderModule {
  PvRecorder: {
    new (frameLength: number, deviceIndex?: number, bufferedFramesCount?: number): PvRecorderInstance;
    getAvailableDevices(): string[];
  };
}

export interface PortAudioDevice {
  id: number;
  name: string;
  maxInputChannels: number;
  defaultSampleRate: number;
  hostAPIName: string;
}
export interface PortAudioStream {
  on(event: 'data', cb: (chunk: Buffer) => void): void;
  on(event: 'error' | 'close' | 'end', cb: (arg?: unknown) => void): void;
  start(): void;
  quit(cb?: () => void): void;
}
export interface NaudiodonModule {
  getDevices(): PortAudioDevice[];
  getHostAPIs(): { defaultHostAPI: number; HostAPIs: Array<{ id: number; defaultInput: number }> };
  AudioIO: new (opts: { inOptions: Record<string, unknown> }) => PortAudioStream;
  SampleFormat16Bit: number;
}

let pv: PvRecorderModule | undefined;
let na: NaudiodonModule | undefined;

export function loadPvRecorder(): PvRecorderModule {
  if (!pv) {
    try {
      pv = require('@picovoice/pvrecorder-node') as PvRecorderModule;
    } catch (err) {
      throw new EngineError(
        EngineErrorCode.BackendUnavailable,
        `The pvrecorder capture backend could not be loaded (${(err as Error).message.split('\n')[0]}): reinstall the extension.`,
      );
    }
  }
  return pv;
}

export function loadNaudiodon(): NaudiodonModule {
  if (!na) {
    try {
      na = require('naudiodon') as NaudiodonModule;
    } catch (err) {
      throw new EngineError(
        EngineErrorCode.BackendUnavailable,
        `The naudiodon capture backend is not available here (${(err as Error).message.split('\n')[0]}). ` +
          'It compiles at install time for one Node version; use the default backend, pvrecorder.',
      );
    }
  }
  return na;
}
