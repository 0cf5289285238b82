import * as assert from 'assert';
import { EncoderWindow, TranscribeOptions, VARIABLE_WINDOWS, warmUp, WhisperResult } from '../../../../src/engine/whisper/whisper';

/** A scripted model (no onnxruntime): records each pass; busy while one runs, and once `othersAfter` passes were made (a user's pass waiting). */
function scripted(window: EncoderWindow, othersAfter?: number) {
  const passes: { seconds: number; options: TranscribeOptions }[] = [];
  let running = 0;
  const model = {
    window,
    get busy() {
      return running > 0 || (othersAfter !== undefined && passes.length >= othersAfter);
    },
    transcribe: async (audio: Float32Array, _language: string, options: TranscribeOptions = {}) => {
      running++;
      passes.push({ seconds: audio.length / 16000, options });
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return { text: '' } as WhisperResult;
    },
  };
  return { model, passes };
}

describe('warm-up: a pass on silence per window a short utterance is read on', () => {
  it('plans the floor, then the final window where it is longer (base)', async () => {
    const { model, passes } = scripted(VARIABLE_WINDOWS.base);
    await warmUp(model);
    assert.deepStrictEqual(
      passes.map((p) => !!p.options.final),
      [false, true],
    );
    assert.ok(passes.every((p) => p.seconds <= 1));
  });

  it('one pass where the final window is the floor (tiny)', async () => {
    const { model, passes } = scripted(VARIABLE_WINDOWS.tiny);
    await warmUp(model);
    assert.deepStrictEqual(
      passes.map((p) => !!p.options.final),
      [false],
    );
  });

  it("starts no pass while the model is busy with the user's", async () => {
    const busyFromStart = scripted(VARIABLE_WINDOWS.base, 0);
    await warmUp(busyFromStart.model);
    assert.strictEqual(busyFromStart.passes.length, 0);
    // A real pass asked for during the first warm pass: the final window's pass is not started after it.
    const busyAfterOne = scripted(VARIABLE_WINDOWS.base, 1);
    await warmUp(busyAfterOne.model);
    assert.strictEqual(busyAfterOne.passes.length, 1);
  });
});
