/**
 * Dictation into the inputs that are not the text editor, inside a real VS Code: the integrated terminal, the
 * Source Control commit message box and the Search view; and the target following the focus during a session. Real engine, real models,
 * real speech from ../shared/audio.
 *
 * What the terminal received is read through a shell running `cat > FILE`: the terminal's line discipline holds the
 * typed line until Enter or Ctrl+D, so after dictation the test sends Ctrl+D twice (flush the line, then end of file)
 * and reads FILE. A line break in FILE would mean dictation pressed Enter. (VS Code 1.100's `onDidWriteTerminalData` is
 * still a proposed API, closed to this extension.)
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VoiceFlowApi } from '../../../src/extension';
import { AUDIO_DIR } from '../../audioFixtures';
import { activated, clipsWav, setSetting, sleep, until, workspaceDir } from './support';

const GO_FORWARD = path.join(AUDIO_DIR, 'goforward.wav');

/** A terminal whose shell runs `cat > FILE`, focused; `received()` ends cat (Ctrl+D twice) and reads FILE. */
async function catTerminal(name: string): Promise<{ terminal: vscode.Terminal; received(): Promise<string> }> {
  const file = path.join(workspaceDir(), `${name}.out`);
  fs.rmSync(file, { force: true });
  const terminal = vscode.window.createTerminal({ name, shellPath: '/bin/sh', shellArgs: ['-c', `exec cat > '${file}'`] });
  terminal.show(false);
  await until('the terminal process', () => Promise.resolve(terminal.processId));
  await until('cat to open its file', () => fs.existsSync(file));
  await until(`${name} to be the active terminal`, () => vscode.window.activeTerminal === terminal);
  return {
    terminal,
    async received() {
      terminal.sendText('\x04', false);
      await sleep(300);
      terminal.sendText('\x04', false);
      await until('cat to end', () => terminal.exitStatus !== undefined, 10000);
      return fs.readFileSync(file, 'utf8');
    },
  };
}

/** The built-in git extension's API (the part used here). */
interface GitExtension {
  readonly enabled: boolean;
  getAPI(v: 1): GitApi;
}
interface GitApi {
  repositories: { rootUri: vscode.Uri; inputBox: { value: string } }[];
  openRepository(root: vscode.Uri): Promise<unknown>;
}

describe('dictation targets: the terminal, the commit message box and the Search view', function () {
  this.timeout(180000);
  let api: VoiceFlowApi;

  before(async function () {
    api = await activated();
    await setSetting('audioSourceRealtime', false);
  });

  afterEach(async function () {
    if (api.dictating()) await vscode.commands.executeCommand('voiceflow.stopDictation');
    await setSetting('audioSource', undefined);
    await setSetting('audioSourceRealtime', false);
    for (const t of vscode.window.terminals) t.dispose();
  });

  /** Runs one dictation from a WAV through `command` (with `args`, as a keybinding passes them) to its end. */
  async function dictate(file: string, command: string, args?: unknown): Promise<void> {
    await setSetting('audioSource', file);
    await vscode.commands.executeCommand(command, args);
    await until('the dictation to start', () => api.dictating(), 10000);
    await until('the dictation to end', () => !api.dictating(), 120000);
  }

  it('the toggle key in a focused terminal types there, shaped for a shell, and never presses Enter', async function () {
    const cat = await catTerminal('dictation-cat');
    await dictate(clipsWav('terminal-two.wav', ['goforward.wav', 'cards/003.wav'], 1.5), 'voiceflow.toggleDictation', {
      target: 'terminal',
    });
    const received = await cat.received();
    // Whisper writes "Go forward 10 meters." and "7 of clubs." (or "Seven"): no capitals, no full stops, one space.
    assert.match(received, /^go forward 10 meters (7|seven) of clubs$/);
    assert.match(api.history()[0].insertedInto ?? '', /^terminal:dictation-cat$/);
  });

  it('in the Search view the words become the query and the search runs (results read with Copy All)', async function () {
    fs.writeFileSync(path.join(workspaceDir(), 'route.txt'), 'robot: go forward 10 meters\n');
    await vscode.env.clipboard.writeText('');
    await dictate(GO_FORWARD, 'voiceflow.toggleDictation', { target: 'search' });
    assert.strictEqual(api.history()[0].insertedInto, 'search');
    // The search box cannot be read; its results can: Copy All puts them on the clipboard.
    const results = await until(
      'the search results',
      async () => {
        await vscode.commands.executeCommand('search.action.copyAll');
        const copied = await vscode.env.clipboard.readText();
        return copied.includes('route.txt') && copied;
      },
      20000,
    );
    assert.match(results, /go forward 10 meters/);
  });

  it('with the terminal closed, the text goes to the clipboard and the history', async function () {
    for (const t of vscode.window.terminals) t.dispose();
    await until('no terminal', () => vscode.window.terminals.length === 0);
    await vscode.env.clipboard.writeText('');
    await dictate(GO_FORWARD, 'voiceflow.startDictation', { target: 'terminal' });
    const entry = api.history()[0];
    assert.match(entry.text, /^Go forward 10 meters\.?$/);
    assert.match(entry.notInserted ?? '', /no terminal is open/);
    assert.strictEqual(await vscode.env.clipboard.readText(), entry.text);
  });

  it('in the commit message box, the text is appended through the git extension, with a space', async function () {
    const root = workspaceDir();
    if (!fs.existsSync(path.join(root, '.git'))) {
      const r = spawnSync('git', ['init', '-q', root]);
      assert.strictEqual(r.status, 0, `git init: ${r.stderr?.toString()}`);
    }
    const gitExtension = vscode.extensions.getExtension<GitExtension>('vscode.git');
    assert.ok(gitExtension, 'the built-in git extension is installed in the test instance');
    const exports = await gitExtension.activate();
    // The test instance turns Git off (git.enabled: false, codeServer.ts): first the fallback, then on.
    assert.strictEqual(exports.enabled, false);
    await vscode.env.clipboard.writeText('');
    await dictate(GO_FORWARD, 'voiceflow.toggleDictation', { target: 'scm' });
    assert.match(api.history()[0].notInserted ?? '', /Git is turned off/);
    assert.strictEqual(await vscode.env.clipboard.readText(), api.history()[0].text);
    await vscode.workspace.getConfiguration('git').update('enabled', true, vscode.ConfigurationTarget.Global);
    await until('the git extension to start', () => exports.enabled);
    const git = exports.getAPI(1);
    await git.openRepository(vscode.Uri.file(root));
    const repository = await until('the git repository', () => git.repositories.find((r) => r.rootUri.fsPath === root));
    await vscode.commands.executeCommand('workbench.view.scm');
    repository.inputBox.value = 'Robot:';
    await dictate(GO_FORWARD, 'voiceflow.toggleDictation', { target: 'scm' });
    assert.match(repository.inputBox.value, /^Robot: Go forward 10 meters\.?$/);
    assert.strictEqual(api.history()[0].insertedInto, `scm:${repository.rootUri.toString()}`);
  });

  after(async function () {
    await vscode.workspace.getConfiguration('git').update('enabled', false, vscode.ConfigurationTarget.Global);
  });

  it('the target follows the focus: an utterance after the user moves to a terminal goes there', async function () {
    const file = path.join(workspaceDir(), 'follow.txt');
    fs.writeFileSync(file, '');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    // Real time, with a long pause between the two utterances: time to move to the terminal in between.
    await setSetting('audioSourceRealtime', true);
    await setSetting('audioSource', clipsWav('follow.wav', ['goforward.wav', 'cards/003.wav'], 5));
    await vscode.commands.executeCommand('voiceflow.startDictation');
    await until('the first utterance in the editor', () => /^Go forward 10 meters\.?$/.test(editor.document.getText()), 60000);
    const cat = await catTerminal('follow-cat');
    await until('the dictation to end', () => !api.dictating(), 60000);
    assert.match(editor.document.getText(), /^Go forward 10 meters\.?$/, 'the second utterance did not go to the editor');
    assert.match(await cat.received(), /^(7|seven) of clubs$/);
  });
});
