// npm run package [-- --target linux-x64|darwin-arm64|win32-x64|...]: a vsix for one platform (default: this one),
// carrying the bundles, the models and only that platform's native binaries (native/platforms.mjs).
import { execFileSync } from 'node:child_process';
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
const ignore = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-pkg-')), 'vscodeignore');
fs.writeFileSync(ignore, ignoreFileFor(target));

console.log(`Building production bundles...`);
execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
console.log(`Packaging for ${target}...`);
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(process.execPath, [vsce, 'package', '--no-rewrite-relative-links', '--target', target, '--ignoreFile', ignore, '--out', out], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
fs.rmSync(path.dirname(ignore), { recursive: true, force: true });
console.log(`${path.relative(process.cwd(), out)}: ${(fs.statSync(out).size / 1048576).toFixed(1)} MB`);
