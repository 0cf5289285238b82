/**
 * The microphone is remembered by name (voiceflow.microphone): device indices change when devices come and go. At
 * each start the name is looked up in the engine's device list; a device that is gone falls back to the system
 * default, with a sentence for the user.
 */
import { InputDevice } from '../protocol';

/** The system default, as `AudioSourceSpec.device` takes it. */
export const DEFAULT_DEVICE = -1;

export interface MicrophoneChoice {
  /** The index to open (DEFAULT_DEVICE for the system default). */
  device: number;
  /** Why the wanted device is not used, for the user; absent when it is (or none was asked for). */
  notice?: string;
}

/**
 * The device named `wanted` in `devices`: the exact name first, else the one name that differs only in case and
 * surrounding spaces. Empty `wanted`: the system default, without a notice.
 */
export function resolveMicrophone(wanted: string, devices: readonly InputDevice[]): MicrophoneChoice {
  if (wanted.trim() === '') return { device: DEFAULT_DEVICE };
  const exact = devices.find((d) => d.name === wanted);
  if (exact) return { device: exact.index };
  const loose = (s: string) => s.trim().toLowerCase();
  const near = devices.filter((d) => loose(d.name) === loose(wanted));
  if (near.length === 1) return { device: near[0].index };
  return {
    device: DEFAULT_DEVICE,
    notice: `Microphone "${wanted}" is not connected: using the system default. Choose another with VoiceFlow: Select Microphone.`,
  };
}
