// npm start: builds and packages the extension for this platform (kept when nothing changed), then opens it in a
// real VS Code: the desktop `code` when it is on PATH, otherwise a local code-server on 127.0.0.1 with the extension
// installed (its URL is printed; Ctrl+C stops it). `npm start -- FILE.wav` transcribes files with the CLI instead.
// It never ends in a stack trace: a step that fails ends with one sentence naming it and what to do.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { currentTarget } from '../native/platforms.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const files = process.argv.slice(2);

/** Ends npm start with one sentence (the failing step printed its own output above it). */
function stop(sentence) {
  console.error(`\nnpm start: ${sentence}`);
  process.exit(1);
}
/** Runs a step; a failure ends npm start with `hint` instead of a stack trace. */
function step(cmd, args, hint, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.error) stop(`${hint} (${r.error.code === 'ENOENT' ? `${cmd} not found` : r.error.message}).`);
  if (r.status !== 0) stop(hint);
}
process.on('uncaughtException', (err) => stop(`${err.message} (unexpected: please report it).`));
process.on('unhandledRejection', (err) => stop(`${err?.message ?? err} (unexpected: please report it).`));

if (!fs.existsSync(path.join(root, 'node_modules', 'esbuild'))) stop('the dependencies are not installed: run `npm ci` first.');

if (files.length > 0) {
  step(process.execPath, [path.join(root, 'esbuild.mjs')], "the build failed (esbuild's errors are above).");
  const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'transcribe', ...files], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

if (!fs.existsSync(path.join(root, 'node_modules', 'naudiodon', 'build', 'Release', 'naudiodon.node'))) {
  console.log('Note: naudiodon (the optional microphone backend) is not installed; the default, pvrecorder, is used.');
}
audioServerNote();

step(
  process.execPath,
  [path.join(root, 'scripts', 'package.mjs')],
  "packaging the extension failed (vsce's message is above); `npm run package` repeats it.",
);
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const vsix = path.join(root, `voiceflow-dictation-${currentTarget()}-${version}.vsix`);

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
if (onPath('code')) {
  console.log('Installing into the desktop VS Code (code --install-extension)...');
  step(
    'code',
    ['--install-extension', vsix, '--force'],
    `VS Code did not install ${path.basename(vsix)} (its message is above); install it by hand: Extensions view, "..." menu, Install from VSIX.`,
  );
  spawn('code', [process.cwd()], { stdio: 'ignore', detached: true }).unref();
  console.log('VS Code is opening. Run "VoiceFlow: Start Dictation" from the command palette (Ctrl+Alt+D toggles).');
  process.exit(0);
}

console.log('No desktop VS Code on PATH: using code-server (a real VS Code in the browser).');
// install-code-server names a missing prerequisite (build tools, Node's headers, ...) in one sentence with its fix.
step(
  process.execPath,
  [path.join(root, 'scripts', 'install-code-server.mjs'), '--no-browser'],
  'code-server could not be installed (why is said above); fix that and run npm start again, or install VS Code and put `code` on PATH.',
);
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
step(
  bin,
  [...common, '--install-extension', vsix, '--force'],
  `code-server did not install ${path.basename(vsix)} (its message is above).`,
  { env: { ...process.env, EXTENSIONS_GALLERY: '{}' } },
);

const port = Number(process.env.PORT) || (await freePort());
const server = spawn(
  bin,
  [
    ...common,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    workspace,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, EXTENSIONS_GALLERY: '{}', VSCODE_CLI: '1' } },
);
const quit = () => {
  server.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', quit);
process.on('SIGTERM', quit);
server.on('error', (err) =>
  stop(`code-server did not start: ${err.message}; \`node scripts/install-code-server.mjs --force\` reinstalls it.`),
);
let up = false;
for (let i = 0; i < 300 && !up; i++) {
  up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (!up) await new Promise((r) => setTimeout(r, 100));
}
if (!up) {
  server.kill('SIGTERM');
  stop(
    `code-server did not answer on 127.0.0.1:${port} within 30 s (its log is above); \`node scripts/install-code-server.mjs --force\` reinstalls it.`,
  );
}
console.log(
  `\nVoiceFlow is installed in VS Code (code-server) at:\n\n    http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}\n`,
);
console.log('Open it in a browser, then run "VoiceFlow: Start Dictation" (Ctrl+Alt+D toggles). Ctrl+C here stops it.');
server.on('exit', (code) => process.exit(code ?? 0));

/** Linux: dictating from the microphone needs an audio server (PulseAudio or PipeWire); say so once if none answers. */
function audioServerNote() {
  if (process.platform !== 'linux') return;
  const r = spawnSync('pactl', ['info'], { stdio: 'ignore', timeout: 5000 });
  if (r.status === 0) return;
  console.log(
    r.error?.code === 'ENOENT'
      ? 'Note: no audio server found (pactl is missing): the microphone needs PulseAudio or PipeWire (apt-get install pulseaudio pulseaudio-utils); dictating from a WAV file (voiceflow.audioSource) works without.'
      : 'Note: no audio server answers (pactl info failed): start PulseAudio or PipeWire (it runs with a desktop session; `pulseaudio --start` otherwise) to dictate from the microphone.',
  );
}

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
