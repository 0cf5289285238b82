/** Speech no recording holds, spoken by espeak-ng at test or bench time into 16 kHz mono WAVs (never committed). */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Speaks `sentence` into `dir/name.wav`; throws with the fix when espeak-ng or sox is missing. */
export function synthesizeSpeech(dir: string, name: string, sentence: string, voice = 'en-us', wordsPerMinute = 150): string {
  const raw = path.join(dir, `${name}-raw.wav`);
  const file = path.join(dir, `${name}.wav`);
  try {
    execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', raw, sentence], { stdio: 'ignore' });
    // -R: sox dithers the 16-bit output with a random seed unless told to repeat itself; each run's WAV differed,
    // and a decode at the edge (tiny's "repeatedTailStart") flipped from run to run.
    execFileSync('sox', ['-R', raw, '-r', '16000', '-c', '1', '-b', '16', file], { stdio: 'ignore' });
  } catch (err) {
    throw new Error(
      `Synthesizing speech needs espeak-ng and sox (apt-get install espeak-ng sox; .ci/run does): ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  } finally {
    fs.rmSync(raw, { force: true });
  }
  return file;
}
