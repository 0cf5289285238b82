import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import { DEFAULT_LEVERS, EngineErrorCode, EngineLevers } from '../protocol';
import { EngineError } from './errors';
import { loadSession } from './onnx';
import { SILERO_V5, sileroFile, verifyFile } from './models';
import { WAKE_RMS } from './ring';
import { sileroSequenceModel } from './vadGraph';

/** Silero VAD v5 works on 512-sample frames at 16 kHz (32 ms). */
export const VAD_FRAME = 512;
/**
 * Frames quieter than this RMS (about -60 dBFS) are silence without asking Silero: a near-idle microphone costs
 * almost nothing. Quiet speech from a laptop mic sits well above it (-40 to -20 dBFS). The same level wakes the listen
 * loop sleeping in silence (ring.ts, which the capture worker loads without onnxruntime, defines it).
 */
export const ENERGY_GATE_RMS = WAKE_RMS;
const STATE_SIZE = 2 * 1 * 128;
/**
 * Frames per call when a whole recording is scored (`probabilities`): 2 s. Larger calls are no faster and make
 * onnxruntime's activations, which the allocator keeps, larger (64 frames: +4 MB; 1000: +20 MB).
 */
const FRAMES_PER_CALL = 64;

/** Frame root-mean-square level. */
export function frameRms(frame: Float32Array): number {
  let acc = 0;
  for (let i = 0; i < frame.length; i++) acc += frame[i] * frame[i];
  return Math.sqrt(acc / frame.length);
}

/**
 * Silero VAD v5 behind an energy gate. `probability(frame)` gives the speech probability of one 512-sample frame;
 * `probabilities(samples)` those of a whole recording's frames. The recurrent state is carried from frame to frame
 * (across calls too) and reset with `reset()` (new stream).
 *
 * With EngineLevers.vadSequence (default) the model is the export edited to take many frames per call
 * (vadGraph.ts); otherwise the export as it is, one call per frame.
 */
export class SileroVad {
  gatedFrames = 0;
  modelFrames = 0;
  private state: Float32Array = new Float32Array(STATE_SIZE);
  private readonly input = new Float32Array(VAD_FRAME);
  private readonly inputTensor = new ort.Tensor('float32', this.input, [1, VAD_FRAME]);
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);

  private constructor(private readonly session: ort.InferenceSession, private readonly gateRms: number, readonly sequence: boolean) {}

  /** `stampDir`: where verified files are remembered between starts (models.ts verifyFile). */
  static async load(gateRms = ENERGY_GATE_RMS, stampDir?: string, levers: EngineLevers = {}): Promise<SileroVad> {
    const file = sileroFile();
    await verifyFile(file, SILERO_V5, stampDir);
    const sequence = levers.vadSequence ?? DEFAULT_LEVERS.vadSequence;
    let model: string | Uint8Array = file;
    if (sequence) {
      try {
        model = sileroSequenceModel(fs.readFileSync(file));
      } catch (err) {
        throw new EngineError(EngineErrorCode.ModelLoadFailed, `Could not prepare the VAD model ${file} for whole recordings: ${(err as Error).message}`);
      }
    }
    // One thread: a 512-sample frame is too small to split, and capture and Whisper need the other core. No arena:
    // it would keep the activations of the largest call.
    const session = await loadSession(model, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', enableCpuMemArena: false });
    return new SileroVad(session, gateRms, sequence);
  }

  /** A detector with its own state on the same loaded model, for another stream. */
  clone(): SileroVad {
    return new SileroVad(this.session, this.gateRms, this.sequence);
  }

  reset(): void {
    this.state.fill(0);
  }

  async probability(frame: Float32Array): Promise<number> {
    if (frameRms(frame) < this.gateRms) {
      this.gatedFrames++;
      return 0;
    }
    this.input.set(frame);
    return (await this.run(this.inputTensor))[0];
  }

  /**
   * The speech probability of each whole VAD_FRAME of `samples`, in order: what `probability` would give frame
   * after frame, state included. Frames under the gate are 0 and leave the state as it is; the others go to the
   * model FRAMES_PER_CALL at a time (one at a time without vadSequence).
   */
  async probabilities(samples: Float32Array): Promise<Float32Array> {
    const out = new Float32Array(Math.floor(samples.length / VAD_FRAME));
    const open: number[] = [];
    for (let f = 0; f < out.length; f++) {
      if (frameRms(samples.subarray(f * VAD_FRAME, (f + 1) * VAD_FRAME)) < this.gateRms) this.gatedFrames++;
      else open.push(f);
    }
    const perCall = this.sequence ? FRAMES_PER_CALL : 1;
    for (let i = 0; i < open.length; i += perCall) {
      const frames = open.slice(i, i + perCall);
      const input = new Float32Array(frames.length * VAD_FRAME);
      frames.forEach((f, k) => input.set(samples.subarray(f * VAD_FRAME, (f + 1) * VAD_FRAME), k * VAD_FRAME));
      const p = await this.run(new ort.Tensor('float32', input, [frames.length, VAD_FRAME]));
      frames.forEach((f, k) => (out[f] = p[k]));
    }
    return out;
  }

  /** Runs the model on frames [count, VAD_FRAME], carrying the state. The edited model keeps the export's names. */
  private async run(input: ort.Tensor): Promise<Float32Array> {
    this.modelFrames += input.dims[0];
    const feeds: Record<string, ort.Tensor> = {
      input,
      state: new ort.Tensor('float32', this.state, [2, 1, 128]),
    };
    if (!this.sequence) feeds.sr = this.sr;
    const out = await this.session.run(feeds);
    this.state = out.stateN.data as Float32Array;
    return out.output.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
