/**
 * Live dictation from a microphone inside a real VS Code: the runner (runExtensionTests.ts) starts a private
 * PulseAudio fake microphone (test/fakeMicrophone.ts) before code-server and passes PULSE_SERVER and
 * VOICEFLOW_FAKE_MIC_SINK down to the extension host. The extension's speech engine, forked from the extension host,
 * inherits PULSE_SERVER, so its capture library hears whatever this test plays into the sink with pacat, at real-time
 * pace, exactly as it would hear a person. Nothing here is faked above the sound server.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VoiceFlowApi } from '../../../src/extension';
import { loadClip } from '../../audioFixtures';
import { playIntoSink, sleep } from '../../../eval/fakeMicrophone';
import { assertHeardLive, words } from '../../integration/engineHarness';
import { activated, until } from './support';

/** Longer than the inner pauses of cards/005.wav: each clip is one utterance. */
const HANGOVER_MS = 1500;
const PAUSE_MS = 2500;
const CLIPS: Array<[string, string]> = [
  ['cards/005.wav', 'eight of spades four of clubs seven of hearts'],
  ['goforward.wav', 'go forward ten meters'],
];

describe('VoiceFlow live dictation from a (fake) microphone in a real VS Code', function () {
  this.timeout(120000);
  let api: VoiceFlowApi;
  const config = () => vscode.workspace.getConfiguration('voiceflow');

  before(async function () {
    api = await activated();
  });

  after(async function () {
    if (api?.dictating()) await vscode.commands.executeCommand('voiceflow.stopDictation');
    await config().update('audioSource', undefined, vscode.ConfigurationTarget.Global);
    await config().update('hangoverMs', undefined, vscode.ConfigurationTarget.Global);
    await config().update('microphone', undefined, vscode.ConfigurationTarget.Global);
  });

  it('hears two utterances spoken into the microphone and inserts them in order', async function () {
    const pulse = process.env.PULSE_SERVER;
    const sink = process.env.VOICEFLOW_FAKE_MIC_SINK;
    assert.ok(
      pulse && sink,
      'PULSE_SERVER and VOICEFLOW_FAKE_MIC_SINK must reach the extension host: test/vscode/runExtensionTests.ts starts a fake ' +
        'microphone (a private PulseAudio) and sets both, unless pulseaudio/pacat are missing (apt-get install pulseaudio ' +
        `pulseaudio-utils libasound2-plugins; .ci/run does). Got PULSE_SERVER=${pulse ?? '(unset)'}, ` +
        `VOICEFLOW_FAKE_MIC_SINK=${sink ?? '(unset)'}.`,
    );
    const socket = pulse.replace(/^unix:/, '');
    assert.ok(fs.existsSync(socket), `the fake microphone's PulseAudio socket ${socket} does not exist`);

    await config().update('audioSource', '', vscode.ConfigurationTarget.Global);
    await config().update('hangoverMs', HANGOVER_MS, vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests run with a workspace folder open');
    const file = path.join(folder.uri.fsPath, 'microphone.txt');
    fs.writeFileSync(file, 'Mic:');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    editor.selection = new vscode.Selection(0, 4, 0, 4);
    const since = Date.now();

    await vscode.commands.executeCommand('voiceflow.startDictation');
    const snap = api.panelSnapshot();
    assert.ok(
      api.dictating(),
      `dictation did not start: ${snap.state}${snap.detail ? ` (${snap.detail})` : ''}; status bar "${api.statusBarText()}"`,
    );
    const listening = await until(
      'the engine to report it is listening to the microphone',
      () => api.dictating() && api.panelSnapshot().state === 'listening' && api.panelSnapshot(),
      30000,
    );
    assert.match(api.statusBarText(), /^\$\(mic-filled\) Listening/);
    assert.ok(listening.detail, 'the device it listens on is named');
    // The capture device is open; give it a moment to deliver its first buffers before speaking (as a person would).
    await sleep(1000);

    for (const [clip] of CLIPS) {
      await playIntoSink(loadClip(clip), process.env, sink).done;
      await sleep(PAUSE_MS);
    }
    await vscode.commands.executeCommand('voiceflow.stopDictation');
    assert.ok(!api.dictating(), 'dictation stopped');

    const heard = api
      .history()
      .filter((h) => h.at >= since)
      .reverse(); // the history is newest first
    assert.strictEqual(heard.length, CLIPS.length, `utterances heard: ${JSON.stringify(heard.map((h) => h.text))}`);
    CLIPS.forEach(([clip, transcript], i) => {
      assert.ok(!heard[i].notInserted, `"${heard[i].text}" was not inserted: ${heard[i].notInserted}`);
      assertHeardLive(clip, heard[i].text, transcript);
    });
    // The editor holds exactly what was heard, in the order spoken.
    const text = editor.document.getText();
    assert.ok(text.startsWith('Mic:'), text);
    assert.strictEqual(words(text), words(['Mic:', ...heard.map((h) => h.text)].join(' ')), 'the editor holds exactly what was heard');
    assert.match(api.statusBarText(), /(VoiceFlow|Listening)( \$\(warning\))? \d+(\.\d)? m?s$/);
  });

  it('a microphone remembered by a name that is not connected falls back to the default one', async function () {
    await config().update('audioSource', '', vscode.ConfigurationTarget.Global);
    await config().update('microphone', 'No Such Microphone 3000', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('voiceflow.startDictation');
    const snap = api.panelSnapshot();
    assert.ok(api.dictating(), `dictation did not start: ${snap.state}${snap.detail ? ` (${snap.detail})` : ''}`);
    const listening = await until(
      'the engine to listen to the default microphone',
      () => api.panelSnapshot().state === 'listening' && api.panelSnapshot(),
      30000,
    );
    assert.ok(listening.detail, 'the device it listens on is named');
    await vscode.commands.executeCommand('voiceflow.stopDictation');
    assert.ok(!api.dictating(), 'dictation stopped');
  });
});
