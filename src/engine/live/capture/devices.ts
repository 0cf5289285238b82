import { CaptureBackend, InputDevice } from '../../../protocol';
import { naudiodonDevices } from './naudiodonSource';
import { pvRecorderDevices } from './pvrecorderSource';

/**
 * The input devices a backend sees, the system default first as index -1 (what a user who never chose gets).
 * Device indices are the backend's own: pvrecorder's list position, PortAudio's device id.
 */
export function listInputDevices(backend: CaptureBackend): InputDevice[] {
  if (backend === 'naudiodon') {
    const devices = naudiodonDevices();
    const def = devices.find((d) => d.isDefault);
    return [
      { index: -1, name: `System default${def ? ` (${def.name})` : ''}`, isDefault: true },
      ...devices.map((d) => ({ index: d.id, name: d.name, isDefault: false })),
    ];
  }
  return [
    { index: -1, name: 'System default', isDefault: true },
    ...pvRecorderDevices().map((name, index) => ({ index, name, isDefault: false })),
  ];
}
