import * as ort from 'onnxruntime-node';
import { loadSession, sessionOptions } from '../onnx';
import { N_FRAMES, N_MELS } from './mel';

/** Whisper's audio encoder: log-mel [1, 80, 3000] in, hidden states [1, 1500, d_model] out. */
export class WhisperEncoder {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(file: string): Promise<WhisperEncoder> {
    return new WhisperEncoder(await loadSession(file, sessionOptions({ foldQuantizedWeights: true })));
  }

  async encode(mel: Float32Array): Promise<ort.Tensor> {
    const input = new ort.Tensor('float32', mel, [1, N_MELS, N_FRAMES]);
    // Ask only for the hidden states: the export also returns attention maps that cost ~270 MB.
    const out = await this.session.run({ input_features: input }, ['last_hidden_state']);
    return out.last_hidden_state;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
