// Bundles the extension, the engine, its capture and Whisper workers and the CLI into dist/, and the performance panel's page
// script into dist/webview/.
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
  { entryPoints: ['src/engine/main.ts'], outfile: 'dist/engine.js' },
  { entryPoints: ['src/engine/live/capture/captureWorker.ts'], outfile: 'dist/captureWorker.js' },
  { entryPoints: ['src/engine/whisper/whisperWorker.ts'], outfile: 'dist/whisperWorker.js' },
  { entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // Runs in the webview (a browser page): no Node, no vscode, nothing external.
  {
    entryPoints: ['src/views/webview/panel.ts'],
    outfile: 'dist/webview/panel.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    external: [],
  },
];

if (watch) {
  for (const e of entries) await (await esbuild.context({ ...common, ...e })).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
}
