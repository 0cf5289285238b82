// npm start: builds, then (until the editor integration lands) transcribes the files given after `--`,
// or jfk.wav from ../shared/audio as a demonstration.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit' });
let files = process.argv.slice(2);
if (files.length === 0) {
  const demo = path.resolve(root, '..', 'shared', 'audio', 'jfk.wav');
  if (!fs.existsSync(demo)) {
    console.error('Usage: npm start -- FILE.wav [FILE.wav ...]');
    process.exit(2);
  }
  console.error(`No file given: transcribing ${demo}`);
  files = [demo];
}
const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'transcribe', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
