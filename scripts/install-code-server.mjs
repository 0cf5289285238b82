#!/usr/bin/env node
// Installs code-server (VS Code 1.100.3: server, web workbench and a Node extension host) outside the repository,
// for the tests that run inside a real VS Code (npm run test:vscode). Offline apart from the npm registry:
//   - the apt packages chromium, libkrb5-dev and ripgrep must already be there (.ci/run installs them);
//   - @vscode/ripgrep's postinstall would download rg: a cache holding Debian's rg is seeded where it looks first;
//   - npm >= 11.19 blocks dependency install scripts unless allowed; code-server's own postinstall runs nested
//     `npm install`s (lib/vscode, lib/vscode/extensions) that build native modules, so this one install allows them.
// Idempotent: an install that finished (marker file + a working `code-server --version`) is reused.
//
// Usage: node scripts/install-code-server.mjs [--force] [--no-browser]   (--no-browser: chromium, which only the tests
//        drive, is not required; npm start passes it)
// Env:   VOICEFLOW_CODE_SERVER_DIR  install directory (default ~/.cache/voiceflow/code-server-4.100.3)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const VERSION = '4.100.3';
const RIPGREP_PACKAGE_VERSION = '1.15.11'; // @vscode/ripgrep in code-server 4.100.3's lib/vscode/npm-shrinkwrap.json
const RIPGREP_RELEASE = 'v13.0.0-10'; // VERSION in @vscode/ripgrep 1.15.11's lib/postinstall.js
const MARKER = '.voiceflow-install.json';

const force = process.argv.includes('--force');
const needBrowser = !process.argv.includes('--no-browser');
const dir = path.resolve(process.env.VOICEFLOW_CODE_SERVER_DIR || path.join(os.homedir(), '.cache', 'voiceflow', `code-server-${VERSION}`));
const entry = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const started = Date.now();
const log = (msg) => console.log(`[install-code-server ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const fail = (msg) => {
  console.error(`[install-code-server] ERROR: ${msg}`);
  process.exit(1);
};

function which(cmd) {
  for (const d of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(d, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

// `code-server --version` writes ~/.config/code-server/config.yaml on first use (and logs that): give it a throwaway HOME.
function installedVersion() {
  if (!fs.existsSync(path.join(dir, MARKER)) || !fs.existsSync(entry)) return undefined;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-cs-version-'));
  try {
    const env = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
    };
    const r = spawnSync(process.execPath, [entry, '--version'], { encoding: 'utf8', timeout: 60_000, env });
    return r.status === 0 ? /^(\d+\.\d+\.\d+) [0-9a-f]{40} with Code/m.exec(r.stdout)?.[1] : undefined;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

// 1. Node: code-server 4.100.x refuses anything but Node 20.
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor !== 20) fail(`code-server ${VERSION} needs Node 20; this is Node ${process.versions.node}.`);

// 2. Reuse.
if (!force) {
  const v = installedVersion();
  if (v === VERSION) {
    log(`code-server ${VERSION} already installed in ${dir} (reusing; --force reinstalls).`);
    process.exit(0);
  }
  if (fs.existsSync(dir)) log(`found an incomplete or different install in ${dir}; reinstalling.`);
}

// 3. System packages (installed by .ci/run with apt-get, not here).
const missing = [];
if (needBrowser && !fs.existsSync('/usr/bin/chromium')) missing.push(['chromium', '/usr/bin/chromium (the browser the tests drive)']);
if (!which('rg')) missing.push(['ripgrep', 'rg (seeds @vscode/ripgrep, which would download it)']);
if (!fs.existsSync('/usr/include/gssapi/gssapi.h') && !which('krb5-config')) {
  missing.push(['libkrb5-dev', 'gssapi headers (code-server builds the kerberos native module)']);
}
for (const [cmd, pkg] of [
  ['make', 'make'],
  ['g++', 'g++'],
  ['python3', 'python3'],
]) {
  if (!which(cmd)) missing.push([pkg, `${cmd} (node-gyp builds native modules)`]);
}
if (!which('tar')) missing.push(['tar', 'tar']);
if (missing.length) {
  fail(
    `missing ${missing.map(([, what]) => what).join('; ')}: install with \`apt-get install -y --no-install-recommends ${missing.map(([p]) => p).join(' ')}\`.`,
  );
}
const chromium = needBrowser
  ? `chromium (${execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}), `
  : '';
log(`system packages present: ${chromium}ripgrep, libkrb5-dev, make, g++, python3`);

// 3b. Node's headers, which node-gyp compiles code-server's native modules (argon2, kerberos, node-pty...) against:
// npm's nodedir when set, else node-gyp's cache, else a download from nodejs.org. Where none of these works, use the
// distribution's headers for this Node when it has them, or stop with one sentence (node-gyp's own failure is ~40
// lines of `gyp ERR!` and a stack trace).
const nodeGypEnv = await nodeHeaders();

async function nodeHeaders() {
  const version = process.versions.node;
  const hasHeaders = (dir) =>
    fs.existsSync(path.join(dir, 'include', 'node', 'node.h')) && fs.existsSync(path.join(dir, 'include', 'node', 'common.gypi'));
  const npmNodedir = spawnSync('npm', ['config', 'get', 'nodedir'], {
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  }).stdout?.trim();
  const nodedir = process.env.npm_config_nodedir || (npmNodedir && npmNodedir !== 'undefined' && npmNodedir !== 'null' ? npmNodedir : '');
  if (nodedir) {
    if (hasHeaders(nodedir)) return log(`Node headers: ${nodedir}/include/node (npm's nodedir)`) ?? {};
    fail(
      `npm's nodedir is ${nodedir}, which holds no Node headers (include/node/node.h): fix it with \`npm config set nodedir DIR\` or remove it with \`npm config delete nodedir\`.`,
    );
  }
  const cache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'node-gyp', version);
  if (hasHeaders(cache)) return log(`Node headers: ${cache} (node-gyp's cache)`) ?? {};
  const url = `${process.release.headersUrl ?? `https://nodejs.org/download/release/v${version}/node-v${version}-headers.tar.gz`}`;
  const online = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(8000) }).then(
    (r) => r.ok,
    () => false,
  );
  if (online) return log(`Node headers: node-gyp downloads them from ${new URL(url).host}`) ?? {};
  const system = '/usr';
  const versionH = path.join(system, 'include', 'node', 'node_version.h');
  const major = fs.existsSync(versionH) ? /#define NODE_MAJOR_VERSION (\d+)/.exec(fs.readFileSync(versionH, 'utf8'))?.[1] : undefined;
  if (hasHeaders(system) && major === version.split('.')[0]) {
    log(`Node headers: ${new URL(url).host} is unreachable; using this Node's headers in ${system}/include/node`);
    return { npm_config_nodedir: system };
  }
  fail(
    `node-gyp needs Node ${version}'s headers to build code-server's native modules, and none are here (${new URL(url).host} is unreachable, ` +
      `nothing in ${cache}, no npm nodedir): install them (Debian/Ubuntu with NodeSource: they come with the nodejs package, in /usr/include/node) ` +
      'and run `npm config set nodedir /usr`, or connect to the internet once.',
  );
}

// 4. Fresh install directory with its own package.json, so npm treats it as the project (never the repository).
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(
  path.join(dir, 'package.json'),
  JSON.stringify(
    {
      name: 'voiceflow-code-server',
      private: true,
      description: 'code-server for VoiceFlow tests (generated by scripts/install-code-server.mjs)',
    },
    null,
    2,
  ) + '\n',
);

// 5. Pre-seeded ripgrep cache in a private TMPDIR (@vscode/ripgrep looks in os.tmpdir()/vscode-ripgrep-cache-VERSION).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-cs-install-'));
const target = os.arch() === 'arm64' ? 'aarch64-unknown-linux-musl' : 'x86_64-unknown-linux-musl';
const rgCache = path.join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
fs.mkdirSync(rgCache);
const rgStage = path.join(tmp, 'rg-stage');
fs.mkdirSync(rgStage);
fs.copyFileSync(fs.realpathSync(which('rg')), path.join(rgStage, 'rg'));
fs.chmodSync(path.join(rgStage, 'rg'), 0o755);
const rgTar = path.join(rgCache, `ripgrep-${RIPGREP_RELEASE}-${target}.tar.gz`);
execFileSync('tar', ['czf', rgTar, '-C', rgStage, 'rg']);
log(`seeded ripgrep cache: ${rgTar}`);

// 6. npm install (local, into dir). Output goes to a log file; progress lines are printed while it runs.
const env = {
  ...process.env,
  TMPDIR: tmp,
  npm_config_yes: 'true',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_update_notifier: 'false',
  // code-server's postinstall runs nested `npm install`s whose native modules (node-pty, spdlog, kerberos,
  // @parcel/watcher, ripgrep...) have install scripts; npm >= 11.19 would skip them silently without this.
  npm_config_dangerously_allow_all_scripts: 'true',
};
Object.assign(env, nodeGypEnv);
if (process.getuid?.() === 0) env.npm_config_unsafe_perm = 'true';
const logFile = path.join(dir, 'install.log');
log(`npm install code-server@${VERSION} into ${dir} (about a minute, ~300 MB; log: ${logFile})`);
const out = fs.openSync(logFile, 'w');
const child = spawn('npm', ['install', '--no-audit', '--no-fund', `code-server@${VERSION}`], {
  cwd: dir,
  env,
  stdio: ['ignore', out, out],
});
const progress = setInterval(() => {
  const last =
    fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !/^npm warn Unknown/.test(l))
      .pop() ?? '';
  const mb = execFileSync('du', ['-sm', dir], { encoding: 'utf8' }).split('\t')[0];
  log(`... installing: ${mb} MB so far${last ? `; ${last.slice(0, 100)}` : ''}`);
}, 10_000);
const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 128 : 1))));
clearInterval(progress);
fs.closeSync(out);
fs.rmSync(tmp, { recursive: true, force: true });
if (code !== 0) {
  // The log's own reason, without the stack lines: the first lines of npm's or node-gyp's error.
  const lines = fs.readFileSync(logFile, 'utf8').split('\n');
  const reason = lines.filter(
    (l) =>
      /^(npm error|gyp ERR!) /.test(l) &&
      !/ stack |^npm error (path|command|cwd|code|errno|signal|A complete log)|gyp ERR! (System|command|cwd|node -v|node-gyp -v|not ok|\$npm_)/.test(
        l,
      ),
  );
  if (reason.length) console.error(reason.slice(0, 8).join('\n'));
  const headers = lines.some(
    (l) =>
      /gyp (ERR!|info).*(headers|node-v[\d.]+-headers|nodejs\.org)/.test(l) &&
      /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|getaddrinfo|certificate/.test(l),
  );
  if (headers)
    fail(
      `node-gyp could not download Node's headers from nodejs.org: install your distribution's Node headers and run \`npm config set nodedir /usr\` (or go online once), then run this again; full log: ${logFile}`,
    );
  fail(`npm install code-server@${VERSION} exited with ${code} (the reason is above); full log: ${logFile}`);
}

// 7. Check what the nested installs were supposed to produce, then mark the install complete.
const vscodeDir = path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode');
const expected = [
  path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
  path.join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
  path.join(vscodeDir, 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'),
];
const absent = expected.filter((p) => !fs.existsSync(p));
if (absent.length) fail(`code-server installed but its postinstall did not produce:\n  ${absent.join('\n  ')}\nsee ${logFile}`);
const size = execFileSync('du', ['-sh', dir], { encoding: 'utf8' }).split('\t')[0];
fs.writeFileSync(
  path.join(dir, MARKER),
  JSON.stringify({ version: VERSION, installedAt: new Date().toISOString(), node: process.version }, null, 2) + '\n',
);
const v = installedVersion();
if (v !== VERSION) {
  fs.rmSync(path.join(dir, MARKER), { force: true });
  fail(`code-server --version answered ${JSON.stringify(v)}, expected ${VERSION}`);
}
log(`code-server ${v} installed in ${dir} (${size}); entry: ${entry}`);
