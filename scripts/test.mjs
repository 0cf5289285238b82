// `npm test` and its tiers. Builds once, then runs every step of the chosen tiers even when one fails, and ends with
// one summary of what failed (a failing unit test does not hide the VS Code suite's result).
//   node scripts/test.mjs [lint|unit|integration|vscode]... [-- ARGS]   (no tier: lint and every tier)
// ARGS go to the chosen tiers' runners: mocha for unit and integration, runExtensionTests for vscode
// (e.g. `npm run test:vscode -- --grep smoke --no-ui`, `npm run test:unit -- --grep spacing`).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const known = ['lint', 'unit', 'integration', 'vscode'];
const argv = process.argv.slice(2);
// Tier names first; from the first argument that is not one (an option such as --grep), the rest is passed on.
const firstExtra = argv.findIndex((a) => !known.includes(a));
const asked = firstExtra < 0 ? argv : argv.slice(0, firstExtra);
const extra = firstExtra < 0 ? [] : argv.slice(firstExtra).filter((a, i) => !(i === 0 && a === '--'));
if (extra.length && !extra[0].startsWith('-')) {
  console.error(`Unknown test tier "${extra[0]}": use ${known.join(', ')} (options for the runners after them, e.g. --grep NAME).`);
  process.exit(2);
}
const tiers = asked.length ? asked : ['lint', 'unit', 'integration', 'vscode'];
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

// Where the tests read real speech (as test/audioFixtures.ts decides); fetched from public sources when absent.
const shared = path.resolve(root, '..', 'shared', 'audio');
const audioDir =
  process.env.VOICEFLOW_TEST_AUDIO || (fs.existsSync(path.join(shared, 'manifest.tsv')) ? shared : path.join(root, '.test-audio'));
function testAudio() {
  if (fs.existsSync(path.join(audioDir, 'manifest.tsv'))) {
    console.log(`Test audio: reading ${audioDir}`);
    return 0;
  }
  return spawnSync(process.execPath, [path.join(root, 'scripts', 'fetch-test-audio.mjs'), audioDir], { cwd: root, stdio: 'inherit' })
    .status;
}
/** What Prettier keeps formatted (package.json's format script says the same). */
const FORMATTED = [
  'src/**/*.ts',
  'test/**/*.ts',
  'bench/**/*.ts',
  'eval/**/*.ts',
  'scripts/**/*.mjs',
  'native/**/*.{ts,mjs}',
  'esbuild.mjs',
  'eslint.config.mjs',
];
const mocha = (dir) => [bin('mocha'), [`out/test/${dir}/**/*.test.js`, ...extra]];

const steps = [
  // Compiled tests from a previous layout would still be found by the globs: start from an empty out/.
  { name: 'clean out/', run: () => fs.rmSync(path.join(root, 'out', 'test'), { recursive: true, force: true }) || 0, always: true },
  { name: 'bundle (esbuild)', cmd: [process.execPath, ['esbuild.mjs']], always: true, fatal: true },
  { name: 'type-check and compile (tsc)', cmd: [bin('tsc'), ['-p', '.']], always: true, fatal: true },
  { name: 'type-check the webview', cmd: [bin('tsc'), ['-p', 'src/views/webview']], always: true, fatal: true },
  { name: 'lint (eslint)', cmd: [bin('eslint'), ['src', 'test', 'bench', 'eval']], tier: 'lint' },
  {
    name: 'format (prettier --check; npm run format fixes it)',
    cmd: [bin('prettier'), ['--check', '--log-level', 'warn', ...FORMATTED]],
    tier: 'lint',
  },
  { name: 'unit tests', cmd: mocha('unit'), tier: 'unit' },
  { name: 'test audio (real speech)', run: testAudio, tier: ['integration', 'vscode'], needed: true },
  { name: 'integration tests (real models and speech)', cmd: mocha('integration'), tier: 'integration', needsAudio: true },
  {
    name: 'VS Code tests (code-server)',
    cmd: [process.execPath, ['out/test/vscode/runExtensionTests.js', ...extra]],
    tier: 'vscode',
    needsAudio: true,
  },
];

const failed = [];
let noAudio = false;
for (const step of steps) {
  if (!step.always && ![step.tier].flat().some((t) => tiers.includes(t))) continue;
  if (step.needsAudio && noAudio) {
    failed.push(step.name);
    console.log(`\n=== ${step.name}: NOT RUN (no test audio; see above)`);
    continue;
  }
  console.log(`\n=== ${step.name}`);
  const t0 = Date.now();
  const status = step.run ? step.run() : spawnSync(step.cmd[0], step.cmd[1], { cwd: root, stdio: 'inherit' }).status;
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  if (status !== 0) {
    failed.push(step.name);
    console.log(`=== ${step.name}: FAILED (${s} s)`);
    if (step.fatal) break;
    if (step.needed) noAudio = true;
  } else {
    console.log(`=== ${step.name}: ok (${s} s)`);
  }
}
if (failed.length) {
  console.log(`\n${failed.length} step(s) failed: ${failed.join('; ')}.`);
  process.exit(1);
}
console.log(`\nAll passed: ${tiers.join(', ')}.`);
