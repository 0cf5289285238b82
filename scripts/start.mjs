// npm start: builds and packages the extension for this platform, then opens it in a real VS Code:
// the desktop `code` when it is on PATH, otherwise a local code-server on 127.0.0.1 with the extension installed
// (its URL is printed; Ctrl+C stops it). `npm start -- FILE.wav` transcribes files with the CLI instead.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { currentTarget } from '../native/platforms.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const files = process.argv.slice(2);

if (files.length > 0) {
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit' });
  const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'transcribe', ...files], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs')], { cwd: root, stdio: 'inherit' });
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const vsix = path.join(root, `voiceflow-dictation-${currentTarget()}-${version}.vsix`);

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
if (onPath('code')) {
  console.log('Installing into the desktop VS Code (code --install-extension)...');
  execFileSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
  spawn('code', [process.cwd()], { stdio: 'ignore', detached: true }).unref();
  console.log('VS Code is opening. Run "VoiceFlow: Start Dictation" from the command palette (Ctrl+Alt+D toggles).');
  process.exit(0);
}

console.log('No desktop VS Code on PATH: using code-server (a real VS Code in the browser).');
execFileSync(process.execPath, [path.join(root, 'scripts', 'install-code-server.mjs')], { stdio: 'inherit' });
const cacheDir = process.env.VOICEFLOW_CODE_SERVER_DIR ?? path.join(os.homedir(), '.cache', 'voiceflow', 'code-server-4.100.3');
const bin = path.join(cacheDir, 'node_modules', '.bin', 'code-server');
const state = path.join(os.homedir(), '.cache', 'voiceflow', 'start');
const userData = path.join(state, 'user-data');
const extensions = path.join(state, 'extensions');
const workspace = path.join(state, 'workspace');
for (const d of [userData, extensions, workspace]) fs.mkdirSync(d, { recursive: true });
const notes = path.join(workspace, 'dictation.md');
if (!fs.existsSync(notes)) fs.writeFileSync(notes, '# Dictation\n\n');

const common = ['--config', '/dev/null', '--user-data-dir', userData, '--extensions-dir', extensions];
console.log('Installing the extension into code-server...');
execFileSync(bin, [...common, '--install-extension', vsix, '--force'], { stdio: 'inherit', env: { ...process.env, EXTENSIONS_GALLERY: '{}' } });

const port = Number(process.env.PORT) || (await freePort());
const server = spawn(bin, [
  ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
  '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', workspace,
], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, EXTENSIONS_GALLERY: '{}', VSCODE_CLI: '1' } });
const stop = () => {
  server.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (let i = 0; i < 100; i++) {
  const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
  if (up) break;
  await new Promise((r) => setTimeout(r, 100));
}
console.log(`\nVoiceFlow is installed in VS Code (code-server) at:\n\n    http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}\n`);
console.log('Open it in a browser, then run "VoiceFlow: Start Dictation" (Ctrl+Alt+D toggles). Ctrl+C here stops it.');
server.on('exit', (code) => process.exit(code ?? 0));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port: p } = s.address();
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}
