/**
 * The long recording of issue 11 ("Every word heard") from the shared clips (eval/longAudio.ts builds it, the bench
 * uses the same builder), and the word errors it is judged by: lost (deletions), misheard (substitutions), invented
 * (insertions).
 */
import { buildLongAudio, LongAudio } from '../../eval/longAudio';
import { loadClip, readManifest } from '../audioFixtures';

export { LONG_AUDIO_SECONDS, LongAudio } from '../../eval/longAudio';
export { wordErrors } from '../../eval/wer';

/** The ten minutes from the shared clips of manifest.tsv that have a reference. */
export function sharedLongAudio(): LongAudio {
  const clips = readManifest()
    .filter((e) => e.transcript !== null)
    .map((e) => ({ samples: loadClip(e.file), reference: e.transcript! }));
  return buildLongAudio(clips);
}
