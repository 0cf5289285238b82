/**
 * The process boundary the design draws: the engine never imports vscode; the extension never imports onnxruntime; both
 * import only src/protocol.ts and src/settings.ts of each other's world.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../../src/engine/models/pins';

const ROOT = packageRoot(__dirname);
/** The modules both processes import: pure, with neither vscode nor onnxruntime. */
const SHARED = ['protocol.ts', 'settings.ts'].map((f) => path.join(ROOT, 'src', f));
const bundle = (name: string) => fs.readFileSync(path.join(ROOT, 'dist', name), 'utf8');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture', () => {
  it('no engine source imports vscode', () => {
    for (const file of [...sources(path.join(ROOT, 'src', 'engine')), path.join(ROOT, 'src', 'engineClient.ts'), ...SHARED]) {
      assert.ok(!/from 'vscode'|require\('vscode'\)/.test(fs.readFileSync(file, 'utf8')), `${path.relative(ROOT, file)} imports vscode`);
    }
  });

  it('no extension source imports onnxruntime or the engine code', () => {
    const files = [
      path.join(ROOT, 'src', 'extension.ts'),
      ...sources(path.join(ROOT, 'src', 'dictation')),
      ...sources(path.join(ROOT, 'src', 'views')),
    ];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(!/onnxruntime/.test(text), `${path.relative(ROOT, file)} imports onnxruntime`);
      assert.ok(!/from '\.\.?\/(\.\.\/)?engine\//.test(text), `${path.relative(ROOT, file)} imports the engine's code`);
    }
  });

  it('what both sides import (the protocol, the settings table) imports neither onnxruntime nor either side', () => {
    for (const file of SHARED) {
      const text = fs.readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      assert.deepStrictEqual(
        imports.filter((i) => i.startsWith('.') && !['./protocol', './settings'].includes(i)),
        [],
        `${path.relative(ROOT, file)} imports other project code`,
      );
      assert.deepStrictEqual(
        imports.filter((i) => /onnxruntime|^vscode$/.test(i)),
        [],
        `${path.relative(ROOT, file)} imports onnxruntime or vscode`,
      );
    }
  });

  it('the bundles keep to their side (checked on what esbuild actually bundled)', () => {
    assert.ok(!/onnxruntime-node/.test(bundle('extension.js')), 'dist/extension.js pulls in onnxruntime-node');
    assert.ok(!/require\("vscode"\)/.test(bundle('engine.js')), 'dist/engine.js requires vscode');
    assert.ok(!/require\("vscode"\)/.test(bundle('cli.js')), 'dist/cli.js requires vscode');
    assert.ok(/require\("onnxruntime-node"\)/.test(bundle('engine.js')), 'the engine loads onnxruntime-node (external, native)');
  });
});
