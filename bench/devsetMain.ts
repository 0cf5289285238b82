/**
 * `npm run bench:dev`: the dev set alone (bench/devset.ts), per model in DEVSET_MODELS. Prints the tables and writes
 * .bench/devset-<model>[-<DEVSET_LABEL>].json with every file's texts, for diffing two runs.
 * A/B a lever: DEVSET_CONFIG='{"encoderWindow":"full"}' or '{"levers":{"projection":"fp32"}}', DEVSET_LABEL=full.
 */
import { devsetEnv, formatDevSet, measureDevSet, writeDevSet } from './devset';
import { table } from './report';
import { packageRoot } from '../src/engine/models/pins';

async function main(): Promise<void> {
  const root = packageRoot(__dirname);
  const opts = devsetEnv(root);
  for (const model of opts.models) {
    const d = await measureDevSet(root, model, opts);
    const file = writeDevSet(root, d, process.env.DEVSET_LABEL);
    process.stdout.write(formatDevSet(d, table).join('\n') + `\nPer file: ${file}\n\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench:dev: ${err.message}\n`);
    process.exit(1);
  },
);
