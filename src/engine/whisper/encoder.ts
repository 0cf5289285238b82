import * as ort from 'onnxruntime-node';
import { EngineLevers } from '../../protocol';
import { ModelEditor } from '../models/preparedCache';
import { loadEdited, loadSession, sessionOptions } from '../models/sessions';
import { HIDDEN_STATES, sliceablePositionsEncoder } from '../models/encoderGraph';
import { N_FRAMES, N_MELS } from './mel';

/**
 * Whisper's audio encoder: log-mel [1, 80, frames] in, hidden states [1, frames / 2, d_model] out.
 * With `variableLength`, the graph is edited at load so `frames` may be any even number up to 3000; otherwise the
 * export runs as it is and takes 3000 frames (30 s) only.
 */
export class WhisperEncoder {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly variableLength: boolean,
  ) {}

  static async load(
    file: string,
    variableLength: boolean,
    levers: Required<EngineLevers>,
    editor: ModelEditor,
    warn: (message: string) => void,
  ): Promise<WhisperEncoder> {
    const options = sessionOptions('encoder', levers);
    if (!variableLength) return new WhisperEncoder(await loadSession(file, options), false);
    const { session } = await loadEdited(
      editor,
      file,
      'encoder-sliceable-positions-hidden-only',
      sliceablePositionsEncoder,
      options,
      'variable-length encoder',
      warn,
    );
    return new WhisperEncoder(session, true);
  }

  /** `mel` holds N_MELS rows of `frames` values each. */
  async encode(mel: Float32Array, frames = N_FRAMES): Promise<ort.Tensor> {
    const input = new ort.Tensor('float32', mel.subarray(0, N_MELS * frames), [1, N_MELS, frames]);
    // Ask only for the hidden states: the export also returns attention maps that cost ~270 MB (the edited graph has
    // no other output).
    const out = await this.session.run({ input_features: input }, [HIDDEN_STATES]);
    return out[HIDDEN_STATES];
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
