import * as ort from 'onnxruntime-node';
import { loadSession } from './onnx';
import { SILERO_V5, sileroFile, verifyFile } from './models';
import { WAKE_RMS } from './ring';

/** Silero VAD v5 works on 512-sample frames at 16 kHz (32 ms). */
export const VAD_FRAME = 512;
/**
 * Frames quieter than this RMS (about -60 dBFS) are silence without asking Silero: a near-idle microphone costs
 * almost nothing. Quiet speech from a laptop mic sits well above it (-40 to -20 dBFS). The same level wakes the listen
 * loop sleeping in silence (ring.ts, which the capture worker loads without onnxruntime, defines it).
 */
export const ENERGY_GATE_RMS = WAKE_RMS;
const STATE_SIZE = 2 * 1 * 128;

/** Frame root-mean-square level. */
export function frameRms(frame: Float32Array): number {
  let acc = 0;
  for (let i = 0; i < frame.length; i++) acc += frame[i] * frame[i];
  return Math.sqrt(acc / frame.length);
}

/**
 * Silero VAD v5 behind an energy gate. `probability(frame)` gives the speech probability of one 512-sample frame;
 * the recurrent state is carried between frames and reset with `reset()` (new stream).
 */
export class SileroVad {
  gatedFrames = 0;
  modelFrames = 0;
  private state: Float32Array = new Float32Array(STATE_SIZE);
  private readonly input = new Float32Array(VAD_FRAME);
  private readonly inputTensor = new ort.Tensor('float32', this.input, [1, VAD_FRAME]);
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);

  private constructor(private readonly session: ort.InferenceSession, private readonly gateRms: number) {}

  /** `stampDir`: where verified files are remembered between starts (models.ts verifyFile). */
  static async load(gateRms = ENERGY_GATE_RMS, stampDir?: string): Promise<SileroVad> {
    const file = sileroFile();
    await verifyFile(file, SILERO_V5, stampDir);
    // One thread: a 512-sample frame is too small to split, and capture and Whisper need the other core.
    const session = await loadSession(file, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    return new SileroVad(session, gateRms);
  }

  /** A detector with its own state on the same loaded model, for another stream. */
  clone(): SileroVad {
    return new SileroVad(this.session, this.gateRms);
  }

  reset(): void {
    this.state.fill(0);
  }

  async probability(frame: Float32Array): Promise<number> {
    if (frameRms(frame) < this.gateRms) {
      this.gatedFrames++;
      return 0;
    }
    this.modelFrames++;
    this.input.set(frame);
    const out = await this.session.run({
      input: this.inputTensor,
      state: new ort.Tensor('float32', this.state, [2, 1, 128]),
      sr: this.sr,
    });
    this.state = out.stateN.data as Float32Array;
    return (out.output.data as Float32Array)[0];
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
