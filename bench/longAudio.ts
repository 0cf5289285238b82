/**
 * The long-file figure (issue 11, "Every word heard"): the shared clips that have a reference, concatenated with
 * pauses into ten minutes, transcribed whole by file mode (`transcribe`) with each model; words lost (deletions),
 * misheard (substitutions) and invented (insertions) against the concatenated references. bench.ts prints it after
 * the tables; BENCH_LONG=0 skips it.
 * The recording comes from eval/longAudio.ts, which the tests use too.
 */
import * as path from 'path';
import { ModelName } from '../src/protocol';
import { Clip, loadAudio16k, writeAudio } from './clips';
import { EngineRunner } from './engineRunner';
import { WordErrors, wordErrors } from '../eval/wer';
import { buildLongAudio, LONG_AUDIO_SECONDS } from '../eval/longAudio';

export interface LongAudioResult extends WordErrors {
  model: ModelName;
  seconds: number;
  engineMs: number;
  text: string;
}

/** Builds the ten minutes into `tmp`, then transcribes it once per model in file mode. */
export async function measureLongAudio(
  enginePath: string,
  models: readonly ModelName[],
  speech: readonly Clip[],
  tmp: string,
): Promise<LongAudioResult[]> {
  const long = buildLongAudio(speech.filter((c) => c.reference).map((c) => ({ samples: loadAudio16k(c.path), reference: c.reference! })));
  const file = path.join(tmp, 'long-audio-10min.wav');
  writeAudio(file, long.samples);
  const results: LongAudioResult[] = [];
  for (const model of models) {
    process.stderr.write(`[long] ${model}: ${long.spans.length} clips, ${LONG_AUDIO_SECONDS} s in one file...\n`);
    const engine = await EngineRunner.start(enginePath, { model });
    try {
      const r = await engine.client.transcribeFile({ path: file });
      results.push({ model, seconds: r.audioMs / 1000, engineMs: r.engineMs, text: r.text, ...wordErrors(long.reference, r.text) });
    } finally {
      await engine.shutdown();
    }
  }
  return results;
}

export function formatLongAudio(results: readonly LongAudioResult[]): string {
  const lines = ['Long file (file mode): the shared clips with references, with 0.6-2 s pauses, in one 10-minute WAV'];
  lines.push('  model  words  lost (D)  misheard (S)  invented (I)  engineMs  real-time factor');
  for (const r of results) {
    lines.push(
      `  ${r.model.padEnd(5)}  ${String(r.referenceWords).padStart(5)}  ${String(r.deletions).padStart(8)}  ${String(r.substitutions).padStart(12)}` +
        `  ${String(r.insertions).padStart(12)}  ${String(Math.round(r.engineMs)).padStart(8)}  ${(r.engineMs / 1000 / r.seconds).toFixed(3).padStart(16)}`,
    );
  }
  return lines.join('\n') + '\n';
}
