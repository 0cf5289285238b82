/**
 * Smoke test inside a real VS Code (run by runExtensionTests.ts in code-server, or by scripts/test-electron.mjs).
 * Only facts that stay true whatever the commands end up doing.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
  publisher: string;
  name: string;
};
const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;

describe('VoiceFlow smoke (real VS Code)', () => {
  it(`has ${EXTENSION_ID} under development`, () => {
    assert.strictEqual(EXTENSION_ID, 'voiceflow.voiceflow-dictation');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not among ${vscode.extensions.all.length} extensions`);
  });

  it('activates when voiceflow.startDictation runs', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    // What the command does is not this test's business (it may wait for a microphone, or fail without one):
    // only that running it activates the extension.
    const ran = Promise.resolve(vscode.commands.executeCommand('voiceflow.startDictation')).catch((err: unknown) => err);
    const deadline = Date.now() + 60_000;
    while (!ext.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ext.isActive, 'the extension did not activate within 60 s of voiceflow.startDictation');
    await Promise.race([ran, new Promise((r) => setTimeout(r, 5000))]);
    await Promise.race([
      Promise.resolve(vscode.commands.executeCommand('voiceflow.stopDictation')).catch(() => undefined),
      new Promise((r) => setTimeout(r, 5000)),
    ]);
  });

  it('registers voiceflow.startDictation', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('voiceflow.startDictation'));
  });

  it("runs in the runner's workspace and environment", () => {
    // The extension host inherits code-server's environment, which the runner sets up.
    assert.ok(process.env.VOICEFLOW_TEST_REPORT, 'VOICEFLOW_TEST_REPORT is not set in the extension host');
    const expected = process.env.VOICEFLOW_TEST_WORKSPACE;
    if (expected) {
      assert.strictEqual(process.env.VOICEFLOW_TEST_ENV_PROBE, 'from-runner');
      const folders = vscode.workspace.workspaceFolders ?? [];
      assert.deepStrictEqual(
        folders.map((f) => f.uri.fsPath),
        [expected],
      );
      assert.ok(fs.existsSync(path.join(expected, 'dictation-target.txt')));
    }
  });
});
