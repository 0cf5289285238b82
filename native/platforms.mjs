// Which files of the native packages a platform's vsix carries. The bundles load onnxruntime-node and
// @picovoice/pvrecorder-node from node_modules at run time; every other dependency is inside the esbuild bundles.
// naudiodon is never packaged: it compiles at install time for one Node ABI, and Electron's differs.

/** vsce targets -> [onnxruntime-node folder under bin/napi-v6, pvrecorder folder under lib]. */
export const TARGETS = {
  'linux-x64': ['linux/x64', 'linux/x86_64'],
  'linux-arm64': ['linux/arm64', null],
  'darwin-x64': ['darwin/x64', 'mac/x86_64'],
  'darwin-arm64': ['darwin/arm64', 'mac/arm64'],
  'win32-x64': ['win32/x64', 'windows/amd64'],
  'win32-arm64': ['win32/arm64', 'windows/arm64'],
};

export function currentTarget() {
  return `${process.platform}-${process.arch}`;
}

/** The vsce ignore file (gitignore syntax, last match wins) for one target. */
export function ignoreFileFor(target) {
  const t = TARGETS[target];
  if (!t) throw new Error(`unknown target ${target}: one of ${Object.keys(TARGETS).join(', ')}`);
  const [ort, pv] = t;
  const keep = [
    'dist/extension.js',
    'dist/engine.js',
    'dist/captureWorker.js',
    'dist/whisperWorker.js',
    'dist/cli.js',
    'dist/webview/panel.js',
    'package.json',
    'README.md',
    'LICENSE',
    'media/**',
    'docs/panel.png',
    // onnxruntime-node: its JS, its CPU binaries for this target only, and onnxruntime-common it requires.
    'node_modules/onnxruntime-node/package.json',
    'node_modules/onnxruntime-node/dist/**',
    `node_modules/onnxruntime-node/bin/napi-v6/${ort}/**`,
    'node_modules/onnxruntime-common/package.json',
    'node_modules/onnxruntime-common/dist/cjs/**',
    // The models: Whisper tiny and base (what src/engine/whisper reads: the pinned configs and tokenizer files, the int8
    // ONNX; test/integration/manifest.test.ts checks them against the pins) and Silero v5. Small is downloaded on first use.
    ...['tiny', 'base'].flatMap((m) => [
      `node_modules/sts-whisper-${m}/package.json`,
      ...[
        'config.json',
        'generation_config.json',
        'vocab.json',
        'added_tokens.json',
        'merges.txt',
        'onnx/encoder_model_quantized.onnx',
        'onnx/decoder_model_merged_quantized.onnx',
      ].map((f) => `node_modules/sts-whisper-${m}/models/Xenova/whisper-${m}/${f}`),
    ]),
    'node_modules/@ricky0123/vad-web/package.json',
    'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx',
  ];
  if (pv)
    keep.push(
      'node_modules/@picovoice/pvrecorder-node/package.json',
      'node_modules/@picovoice/pvrecorder-node/dist/**',
      `node_modules/@picovoice/pvrecorder-node/lib/${pv}/**`,
    );
  return ['**', ...keep.map((k) => `!${k}`), '**/*.map', ''].join('\n');
}
