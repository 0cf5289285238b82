/** What the VS Code suites share: waiting for a condition, the workspace, settings. Runs in the extension host. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { encodeWav16 } from '../../../src/engine/audio/wav';
import type { VoiceFlowApi } from '../../../src/extension';
import { loadClip } from '../../audioFixtures';
import { joinWithPauses } from '../../support/signal';

export const EXTENSION_ID = 'voiceflow.voiceflow-dictation';

/** The extension, activated: its test API. */
export async function activated(): Promise<VoiceFlowApi> {
  const ext = vscode.extensions.getExtension<VoiceFlowApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.activate();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 100 ms until it gives a truthy value; fails naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run with a workspace folder open');
  return folder.uri.fsPath;
}

/** Sets a voiceflow.* setting for the user (undefined removes it). */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('voiceflow').update(key, value, vscode.ConfigurationTarget.Global);
}

/**
 * 16 kHz mono clips (paths under the test audio folder, or samples) with `pauseSeconds` of silence around each,
 * written into the workspace.
 */
export function clipsWav(name: string, clips: (string | Float32Array)[], pauseSeconds = 1.5): string {
  const file = path.join(workspaceDir(), name);
  const samples = clips.map((c) => (typeof c === 'string' ? loadClip(c) : c));
  fs.writeFileSync(file, encodeWav16(joinWithPauses(samples, Math.round(pauseSeconds * 16000)), 16000));
  return file;
}

/** Writes `content` to a workspace file, shows it, and puts the cursor at its end. */
export async function openDoc(name: string, content: string): Promise<vscode.TextEditor> {
  const file = path.join(workspaceDir(), name);
  fs.writeFileSync(file, content);
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
  const end = editor.document.positionAt(content.length);
  editor.selection = new vscode.Selection(end, end);
  return editor;
}
