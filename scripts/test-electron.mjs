#!/usr/bin/env node
// Runs the same extension-host suite (out/test/vscode/suite) in a desktop VS Code through @vscode/test-electron,
// for machines that have one. Not used by CI here: no desktop VS Code can be installed or downloaded on this machine
// kind (CI uses code-server instead: npm run test:vscode).
//
//   VSCODE_EXECUTABLE=/path/to/code npm run test:electron        (build first, as the npm script does)
//   headless Linux: xvfb-run -a env VSCODE_EXECUTABLE=... npm run test:electron
//
// VSCODE_EXECUTABLE is the Electron binary (Linux: .../VSCode-linux-x64/code, macOS: .../Visual Studio Code.app/
// Contents/MacOS/Electron, Windows: ...\Code.exe). Nothing is downloaded: vscodeExecutablePath is always given.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const suiteIndex = path.join(repo, 'out', 'test', 'vscode', 'suite', 'index.js');
const exe = process.env.VSCODE_EXECUTABLE;

if (!exe) {
  console.error(
    'test:electron needs a desktop VS Code: set VSCODE_EXECUTABLE to its executable (e.g. VSCODE_EXECUTABLE=/usr/share/code/code).\n' +
      '@vscode/test-electron is not allowed to download one here. Without a desktop VS Code use `npm run test:vscode` (code-server).',
  );
  process.exit(2);
}
if (!fs.existsSync(exe)) {
  console.error(`VSCODE_EXECUTABLE=${exe} does not exist.`);
  process.exit(2);
}
for (const f of [path.join(repo, 'dist', 'extension.js'), suiteIndex]) {
  if (!fs.existsSync(f)) {
    console.error(`${f} is missing: build first (node esbuild.mjs && tsc -p .).`);
    process.exit(2);
  }
}

// Short prefix: VS Code's IPC socket paths under the user-data dir must stay under 108 bytes.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vf-vse-'));
const workspace = path.join(tmp, 'workspace');
fs.mkdirSync(workspace);
fs.writeFileSync(path.join(workspace, 'dictation-target.txt'), 'VoiceFlow test workspace.\n');
const report = path.join(tmp, 'report.txt');
const grepAt = process.argv.indexOf('--grep');

let code = 1;
let summary;
try {
  code = await runTests({
    vscodeExecutablePath: exe,
    extensionDevelopmentPath: repo,
    extensionTestsPath: suiteIndex,
    launchArgs: [
      workspace,
      `--user-data-dir=${path.join(tmp, 'ud')}`,
      `--extensions-dir=${path.join(tmp, 'ext')}`,
      '--disable-extensions',
      '--disable-telemetry',
    ],
    extensionTestsEnv: {
      VOICEFLOW_TEST_REPORT: report,
      VOICEFLOW_TEST_WORKSPACE: workspace,
      VOICEFLOW_TEST_ENV_PROBE: 'from-runner',
      VOICEFLOW_TEST_GREP: grepAt > 0 ? process.argv[grepAt + 1] : process.env.VOICEFLOW_TEST_GREP,
    },
  });
} catch (err) {
  code = typeof err?.code === 'number' ? err.code : 1;
  console.error(`VS Code test run failed: ${err?.message ?? err}`);
} finally {
  if (fs.existsSync(report)) process.stdout.write(fs.readFileSync(report, 'utf8'));
  try {
    summary = JSON.parse(fs.readFileSync(`${report}.json`, 'utf8'));
  } catch {
    console.error('the suite wrote no summary: it did not run (see the VS Code output above).');
  }
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
}
if (summary?.error) console.error(`suite error: ${summary.error}`);
if (summary && summary.tests === 0) {
  console.error('no test ran inside VS Code');
  code ||= 1;
}
if (summary)
  console.log(`vscode: ${summary.passes} passed, ${summary.failures} failed${summary.pending ? `, ${summary.pending} skipped` : ''}`);
process.exit(summary ? code : code || 1);
