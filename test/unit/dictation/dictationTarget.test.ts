import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DICTATION_TARGETS, TargetFollower, targetFromArgs } from '../../../src/dictation/dictationTarget';
import { packageRoot } from '../../../src/engine/models/pins';

describe('the dictation target follows the focus (src/dictation/dictationTarget.ts)', () => {
  it('reads the target a keybinding names, and nothing else', () => {
    assert.strictEqual(targetFromArgs({ target: 'terminal' }), 'terminal');
    assert.strictEqual(targetFromArgs({ target: 'scm' }), 'scm');
    assert.strictEqual(targetFromArgs({ target: 'bogus' }), undefined);
    assert.strictEqual(targetFromArgs(undefined), undefined);
    assert.strictEqual(targetFromArgs('terminal'), undefined);
    assert.strictEqual(targetFromArgs(null), undefined);
  });

  it('starts where the key press said, the editor when it said nothing (the Command Palette)', () => {
    const f = new TargetFollower();
    f.start('terminal');
    assert.strictEqual(f.current, 'terminal');
    f.start(undefined);
    assert.strictEqual(f.current, 'editor');
  });

  it('follows the focus during a session: to an editor the user clicks, to a terminal switched to', () => {
    const f = new TargetFollower();
    f.start('scm');
    f.moved('editor');
    assert.strictEqual(f.current, 'editor');
    f.moved('terminal');
    assert.strictEqual(f.current, 'terminal');
    f.start('search');
    assert.strictEqual(f.current, 'search', 'a new session starts at its own key press');
  });
});

describe('package.json binds the toggle key once per input', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(__dirname), 'package.json'), 'utf8')) as {
    contributes: {
      keybindings: { command: string; key: string; when?: string; args?: unknown }[];
      configurationDefaults: Record<string, unknown>;
    };
  };
  const toggles = pkg.contributes.keybindings.filter((k) => k.command === 'voiceflow.toggleDictation');

  it("the same key everywhere; the unconditional one first, so the focused input's binding wins", () => {
    assert.ok(toggles.length > 1);
    assert.ok(toggles.every((k) => k.key === 'ctrl+alt+d'));
    assert.strictEqual(toggles[0].when, undefined);
    assert.strictEqual(toggles[0].args, undefined);
  });

  it('each input binding has a when clause and names a known target', () => {
    const named = toggles.slice(1).map((k) => [k.when, targetFromArgs(k.args)]);
    assert.deepStrictEqual(named, [
      ['terminalFocus', 'terminal'],
      ['scmRepository', 'scm'],
      ['searchInputBoxFocus', 'search'],
      ['inDebugRepl', 'debug'],
      ['commentEditorFocused', 'input'],
      ['inChatInput', 'input'],
    ]);
    const bound = new Set(named.map(([, t]) => t));
    assert.deepStrictEqual(
      DICTATION_TARGETS.filter((t) => !bound.has(t)),
      ['editor'],
      'every target but the editor has its binding',
    );
  });

  it('the terminal lets the key through to VS Code (commandsToSkipShell)', () => {
    assert.deepStrictEqual(pkg.contributes.configurationDefaults['terminal.integrated.commandsToSkipShell'], ['voiceflow.toggleDictation']);
  });
});
