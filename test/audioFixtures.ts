/**
 * Real speech for tests, read in place: $VOICEFLOW_TEST_AUDIO, else ../shared/audio beside the repository when it has
 * a manifest.tsv, else .test-audio/ in the repository, which `npm test` fills from public sources on first use
 * (scripts/fetch-test-audio.mjs). Never committed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ingest } from '../src/engine/audio/ingest';
import { parseWav } from '../src/engine/audio/wav';
import { packageRoot } from '../src/engine/models/pins';

export const AUDIO_DIR = process.env.VOICEFLOW_TEST_AUDIO || defaultAudioDir();

function defaultAudioDir(): string {
  const shared = path.resolve(packageRoot(__dirname), '..', 'shared', 'audio');
  return fs.existsSync(path.join(shared, 'manifest.tsv')) ? shared : path.join(packageRoot(__dirname), '.test-audio');
}

export interface ManifestEntry {
  /** Path relative to AUDIO_DIR, e.g. 'cards/001.wav'. */
  file: string;
  /** Reference transcript, or null where the manifest has none ("(no reference; ...)"). */
  transcript: string | null;
  sampleRate: number;
  seconds: number;
}

/** The clips listed in AUDIO_DIR/manifest.tsv (tab-separated, header row first). */
export function readManifest(): ManifestEntry[] {
  const manifest = path.join(AUDIO_DIR, 'manifest.tsv');
  if (!fs.existsSync(manifest)) throw new Error(`No test audio: ${manifest} is missing. Run \`npm run fetch-test-audio\` (npm test does).`);
  const lines = fs
    .readFileSync(manifest, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = lines[0].split('\t');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`manifest.tsv has no "${name}" column`);
    return i;
  };
  const [file, rate, seconds, transcript] = [col('file'), col('sample_rate'), col('seconds'), col('transcript')];
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    const text = cells[transcript].trim();
    return {
      file: cells[file],
      transcript: text.startsWith('(no reference') ? null : text,
      sampleRate: Number(cells[rate]),
      seconds: Number(cells[seconds]),
    };
  });
}

/** A clip as the engine sees it: parsed, validated and converted to 16 kHz mono. */
export function loadClip(name: string): Float32Array {
  return loadWav(path.join(AUDIO_DIR, name));
}

/** Any WAV file as the engine sees it (16 kHz mono). */
export function loadWav(file: string): Float32Array {
  return ingest(parseWav(fs.readFileSync(file), file), file).samples;
}
