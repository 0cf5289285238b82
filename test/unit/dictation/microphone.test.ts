import * as assert from 'assert';
import { DEFAULT_DEVICE, resolveMicrophone } from '../../../src/dictation/microphone';
import { InputDevice } from '../../../src/protocol';

const devices: InputDevice[] = [
  { index: 0, name: 'Built-in Audio Analog Stereo', isDefault: true },
  { index: 1, name: 'USB Headset Mono', isDefault: false },
  { index: 2, name: 'Monitor of Built-in Audio', isDefault: false },
];

describe('microphone by name (src/dictation/microphone.ts)', () => {
  it('empty: the system default, with nothing to say', () => {
    assert.deepStrictEqual(resolveMicrophone('', devices), { device: DEFAULT_DEVICE });
  });

  it('finds the named device wherever it is listed now (indices change when devices come and go)', () => {
    assert.deepStrictEqual(resolveMicrophone('USB Headset Mono', devices), { device: 1 });
    const replugged = [devices[1], devices[0]].map((d, index) => ({ ...d, index }));
    assert.deepStrictEqual(resolveMicrophone('USB Headset Mono', replugged), { device: 0 });
  });

  it('takes the one name that differs only in case and spaces, never a guess between two', () => {
    assert.deepStrictEqual(resolveMicrophone(' usb headset mono ', devices), { device: 1 });
    const twins = [...devices, { index: 3, name: 'usb headset MONO', isDefault: false }];
    assert.strictEqual(resolveMicrophone('USB HEADSET MONO', twins).device, DEFAULT_DEVICE);
    assert.strictEqual(resolveMicrophone('usb headset MONO', twins).device, 3, 'an exact name still wins');
  });

  it('a device that is gone: the system default, and a sentence naming it', () => {
    const choice = resolveMicrophone('Blue Yeti', devices);
    assert.strictEqual(choice.device, DEFAULT_DEVICE);
    assert.match(choice.notice ?? '', /^Microphone "Blue Yeti" is not connected: using the system default\. .*Select Microphone/);
    assert.strictEqual(resolveMicrophone('Blue Yeti', []).device, DEFAULT_DEVICE);
  });
});
