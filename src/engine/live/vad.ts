import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import { EngineErrorCode, EngineLevers } from '../../protocol';
import { DEFAULT_LEVERS } from '../../settings';
import { EngineError } from '../errors';
import { loadSession } from '../models/sessions';
import { SILERO_V5, sileroFile, verifyFile } from '../models/pins';
import { WAKE_RMS } from './ring';
import { sileroSequenceModel } from '../models/sileroGraph';

/** Silero VAD v5 works on 512-sample frames at 16 kHz (32 ms). */
export const VAD_FRAME = 512;
/**
 * Frames quieter than this RMS (about -60 dBFS) are silence without asking Silero: a near-idle microphone costs
 * almost nothing. Quiet speech from a laptop mic sits well above it (-40 to -20 dBFS). The same level wakes the listen
 * loop sleeping in silence (ring.ts, which the capture worker loads without onnxruntime, defines it). It applies to
 * the audio as captured, before VadLevelControl's gain.
 */
export const ENERGY_GATE_RMS = WAKE_RMS;
/**
 * Silero is level-sensitive: jfk.wav's "ask not" scores up to 0.87 as recorded and 0.17 at -10 dB, so quiet speech
 * (a laptop mic at -40 dBFS) went unheard. The model hears a copy brought to this speech level (frame RMS, dBFS);
 * the segmenter and Whisper keep the audio as it is.
 */
export const VAD_TARGET_DB = -8;
/** Gain bound, dB: a near-idle microphone (-70 dBFS) stays quiet to the model; -32 dBFS speech reaches the target. */
export const VAD_MAX_GAIN_DB = 24;
/** The tracked speech level follows louder frames at once and falls this much per frame (~3 dB/s) in quieter ones. */
const LEVEL_FALL_DB = 0.1;
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
 * Automatic gain for the VAD's copy of the audio: tracks the speech level (a peak follower on frame level, rising at
 * once, falling slowly) and gives the gain that brings it to VAD_TARGET_DB, between 0 and VAD_MAX_GAIN_DB. Never
 * attenuates: loud speech is heard as recorded. Noise is brought up too, to levels Silero already rejects (loud
 * noise, -30 to -10 dBFS).
 */
export class VadLevelControl {
  private levelDb = -Infinity;

  /** The linear gain for a frame of RMS `rms`, which it takes into the tracked level first. */
  gain(rms: number): number {
    const db = 20 * Math.log10(rms + 1e-9);
    this.levelDb = Math.max(db, this.levelDb - LEVEL_FALL_DB);
    const gainDb = Math.min(VAD_MAX_GAIN_DB, Math.max(0, VAD_TARGET_DB - this.levelDb));
    return 10 ** (gainDb / 20);
  }

  reset(): void {
    this.levelDb = -Infinity;
  }
}

/**
 * Silero VAD v5 behind an energy gate, hearing its input through VadLevelControl. `probability(frame)` gives the speech probability of one 512-sample frame;
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
  private readonly level = new VadLevelControl();

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly gateRms: number,
    readonly sequence: boolean,
  ) {}

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
        throw new EngineError(
          EngineErrorCode.ModelLoadFailed,
          `Could not prepare the VAD model ${file} for whole recordings: ${(err as Error).message}`,
        );
      }
    }
    // One thread: a 512-sample frame is too small to split, and capture and Whisper need the other core. No arena:
    // it would keep the activations of the largest call.
    const session = await loadSession(model, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      enableCpuMemArena: false,
    });
    return new SileroVad(session, gateRms, sequence);
  }

  /** A detector with its own state on the same loaded model, for another stream. */
  clone(): SileroVad {
    return new SileroVad(this.session, this.gateRms, this.sequence);
  }

  reset(): void {
    this.state.fill(0);
    this.level.reset();
  }

  /** True when a frame this loud goes to the model; quieter ones are silence without asking it. */
  hears(rms: number): boolean {
    return rms >= this.gateRms;
  }

  /** The speech probability of one frame; `rms` is the frame's (frameRms), when the caller has it already. */
  async probability(frame: Float32Array, rms = frameRms(frame)): Promise<number> {
    const gain = this.level.gain(rms);
    if (rms < this.gateRms) {
      this.gatedFrames++;
      return 0;
    }
    for (let i = 0; i < VAD_FRAME; i++) this.input[i] = frame[i] * gain;
    return (await this.run(this.inputTensor))[0];
  }

  /**
   * The speech probability of each whole VAD_FRAME of `samples`, in order: what `probability` would give frame
   * after frame, state and gain included. Frames under the gate are 0 and leave the state as it is; the others go to
   * the model FRAMES_PER_CALL at a time (one at a time without vadSequence).
   */
  async probabilities(samples: Float32Array): Promise<Float32Array> {
    const out = new Float32Array(Math.floor(samples.length / VAD_FRAME));
    const gains = new Float64Array(out.length);
    const open: number[] = [];
    for (let f = 0; f < out.length; f++) {
      const rms = frameRms(samples.subarray(f * VAD_FRAME, (f + 1) * VAD_FRAME));
      gains[f] = this.level.gain(rms);
      if (rms < this.gateRms) this.gatedFrames++;
      else open.push(f);
    }
    const perCall = this.sequence ? FRAMES_PER_CALL : 1;
    for (let i = 0; i < open.length; i += perCall) {
      const frames = open.slice(i, i + perCall);
      const input = new Float32Array(frames.length * VAD_FRAME);
      frames.forEach((f, k) => {
        const at = k * VAD_FRAME;
        const from = f * VAD_FRAME;
        for (let j = 0; j < VAD_FRAME; j++) input[at + j] = samples[from + j] * gains[f];
      });
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
