// Bundles the extension, the engine, its capture worker and the CLI into dist/.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // Native addons stay outside the bundle and load from node_modules.
  external: ['vscode', 'onnxruntime-node', '@picovoice/pvrecorder-node', 'naudiodon'],
};

const entries = [
  { entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['src/pipeline/engine.ts'], outfile: 'dist/engine.js' },
  { entryPoints: ['src/pipeline/audio/captureWorker.ts'], outfile: 'dist/captureWorker.js' },
  { entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

if (watch) {
  for (const e of entries) await (await esbuild.context({ ...common, ...e })).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
}
