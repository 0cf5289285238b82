// npm run package [-- --target linux-x64|darwin-arm64|win32-x64|...] [--force]: a vsix for one platform (default:
// this one), carrying the bundles, the models and only that platform's native binaries (native/platforms.mjs).
// Zipping the 93 MB takes ~18 s, so when the vsix's inputs (every file it would carry, the ignore file, vsce's
// version) hash as they did for the vsix already there, it is kept (npm start runs this each time); --force repackages.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { currentTarget, ignoreFileFor, TARGETS } from '../native/platforms.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const args = process.argv.slice(2);
const at = args.indexOf('--target');
const target = at >= 0 ? args[at + 1] : currentTarget();
if (!TARGETS[target]) {
  console.error(`package: unknown target "${target}"; one of ${Object.keys(TARGETS).join(', ')}`);
  process.exit(2);
}
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const out = path.join(root, `voiceflow-dictation-${target}-${version}.vsix`);
const ignoreText = ignoreFileFor(target);

console.log(`Building production bundles...`);
execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });

const vsceDir = path.join(root, 'node_modules', '@vscode', 'vsce');
const inputs = inputsHash();
const stampFile = path.join(root, 'node_modules', '.cache', 'voiceflow', `vsix-${target}.json`);
const stamp = readJson(stampFile);
const outStat = fs.statSync(out, { throwIfNoEntry: false });
if (!args.includes('--force') && outStat && stamp?.inputs === inputs && stamp.size === outStat.size && stamp.mtimeMs === outStat.mtimeMs) {
  console.log(`${path.relative(process.cwd(), out)}: nothing changed since it was made; kept (--force repackages).`);
  process.exit(0);
}

console.log(`Packaging for ${target}...`);
const ignore = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-pkg-')), 'vscodeignore');
try {
  fs.writeFileSync(ignore, ignoreText);
  fs.rmSync(stampFile, { force: true });
  execFileSync(
    process.execPath,
    [path.join(vsceDir, 'vsce'), 'package', '--no-rewrite-relative-links', '--target', target, '--ignoreFile', ignore, '--out', out],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
} finally {
  fs.rmSync(path.dirname(ignore), { recursive: true, force: true });
}
const made = fs.statSync(out);
fs.mkdirSync(path.dirname(stampFile), { recursive: true });
fs.writeFileSync(stampFile, JSON.stringify({ inputs, size: made.size, mtimeMs: made.mtimeMs }) + '\n');
console.log(`${path.relative(process.cwd(), out)}: ${(made.size / 1048576).toFixed(1)} MB`);

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** sha256 over what the vsix would hold: the files the ignore file keeps (names and bytes), the ignore file itself,
 * the target and vsce's version. The keep list is plain paths and `folder/**`, as ignoreFileFor writes it. */
function inputsHash() {
  const h = createHash('sha256');
  h.update(`${target}\n${ignoreText}\n${readJson(path.join(vsceDir, 'package.json'))?.version}\n`);
  const keep = ignoreText
    .split('\n')
    .filter((l) => l.startsWith('!'))
    .map((l) => l.slice(1));
  const files = new Set();
  const walk = (rel) => {
    const abs = path.join(root, rel);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) for (const e of fs.readdirSync(abs)) walk(path.posix.join(rel, e));
    else if (!rel.endsWith('.map')) files.add(rel);
  };
  for (const k of keep) walk(k.endsWith('/**') ? k.slice(0, -3) : k);
  for (const rel of [...files].sort()) {
    h.update(`${rel}\0`);
    h.update(fs.readFileSync(path.join(root, rel)));
  }
  return h.digest('hex');
}
