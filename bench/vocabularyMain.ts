/**
 * The vocabulary section alone (bench/vocabulary.ts), for developing it: `node esbuild.mjs && esbuild
 * bench/vocabularyMain.ts --bundle --platform=node --external:onnxruntime-node --outfile=out/bench-bundle/vocabulary.js
 * && node out/bench-bundle/vocabulary.js`. BENCH_MODELS as for the bench (default tiny,base).
 */
import * as fs from 'fs';
import * as path from 'path';
import { INSTALLED_MODELS, ModelName } from '../src/protocol';
import { audioDir, makeTempDir, readManifest, writeSyntheticClips } from './clips';
import { table } from './report';
import { formatVocabulary, measureVocabulary } from './vocabulary';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const models = (process.env.BENCH_MODELS ?? INSTALLED_MODELS.join(',')).split(',').map((m) => m.trim()) as ModelName[];
  const tmp = makeTempDir();
  try {
    const section = await measureVocabulary(
      path.join(root, 'dist', 'engine.js'),
      models,
      readManifest(audioDir(root)),
      writeSyntheticClips(tmp),
      tmp,
      root,
      (s) => process.stderr.write(s),
    );
    process.stdout.write(formatVocabulary(section, table));
    fs.mkdirSync(path.join(root, '.bench'), { recursive: true });
    fs.writeFileSync(path.join(root, '.bench', 'vocabulary.json'), JSON.stringify(section, null, 2) + '\n');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`vocabulary: ${err.message}\n`);
    process.exit(1);
  },
);
