/**
 * VS Code entry point: wires the engine host, the dictation controller, the status bar, the performance panel and
 * the commands together. The work lives in src/dictation/ and src/views/; the engine in its own process.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { affectsEngine, engineConfig, onSettingsNote, onSettingsWarning, Profile, PROFILES, readSettings, SECTION } from './config';
import { DictationController } from './dictation/dictationController';
import { EngineHost } from './dictation/engineHost';
import { targetFromArgs } from './dictation/dictationTarget';
import { DictationHistory, HistoryEntry } from './dictation/history';
import { HoldToTalk } from './dictation/holdToTalk';
import { insertAtCursor } from './dictation/insertion';
import { reportMarkdown } from './performanceReport';
import { ModelName, MODEL_NAMES } from './protocol';
import { profileDescription } from './settings';
import { PanelCommand, PanelSnapshot } from './views/panelProtocol';
import { GhostText } from './views/ghostText';
import { downloadWithProgress, isDownloadable, notDownloaded, offerDownload } from './views/modelDownload';
import { ModelProgress } from './views/modelProgress';
import { PerformancePanel } from './views/performancePanel';
import { DictationStatusBar } from './views/statusBar';
import { registerVoiceCommands } from './views/voiceCommands';

/** What the extension exposes to other extensions and to its own tests. */
export interface VoiceFlowApi {
  statusBarText(): string;
  panelSnapshot(): PanelSnapshot;
  panelVisible(): boolean;
  history(): readonly HistoryEntry[];
  enginePid(): number | undefined;
  dictating(): boolean;
  /** The interim text shown at the cursor now ('' when none). */
  ghostText(): string;
  /** Handles a message as if the panel's page had sent it (its Start button sends toggleDictation). */
  panelMessage(m: PanelCommand): void;
}

let host: EngineHost | undefined;

export function activate(context: vscode.ExtensionContext): VoiceFlowApi {
  const log = vscode.window.createOutputChannel('VoiceFlow', { log: true });
  onSettingsWarning((message) => log.warn(message));
  onSettingsNote((message) => {
    log.info(message);
    void vscode.window.showInformationMessage(`VoiceFlow: ${message}`);
  });
  const history = new DictationHistory(context.workspaceState);
  const engineSettings = () => ({
    ...engineConfig(readSettings()),
    cacheDir: path.join(context.globalStorageUri.fsPath, 'cache'),
  });
  const engineHost = new EngineHost(context.extensionPath, log, engineSettings);
  host = engineHost;
  const ghost = new GhostText();
  const dictation = new DictationController(engineHost, history, log, ghost);
  ghost.target = () => dictation.targetEditor();
  const statusBar = new DictationStatusBar(() => {
    const s = readSettings();
    return { warningMs: s.latencyWarningMs, errorMs: s.latencyErrorMs, hangoverMs: s.hangoverMs };
  });
  const modelProgress = new ModelProgress(context.globalState, { model: () => readSettings().model, enginePid: () => engineHost.pid });
  /**
   * Loads the selected model now (starting the engine if need be), so the next start does not wait for it. A model
   * not downloaded yet is offered for download first; declined, the profile goes back to `previous`.
   */
  const prepareModel = async (previous?: { profile: Profile; model: ModelName }) => {
    const model = readSettings().model;
    const load = () =>
      modelProgress.prepare(model, async () => {
        const running = engineHost.pid !== undefined;
        const engine = await engineHost.engine();
        if (running) engineHost.initResult = await engine.initialize(engineSettings());
      });
    try {
      await load();
    } catch (err) {
      if (!notDownloaded(err)) throw err;
      if (await offerDownload(model, engineHost, log)) await load();
      else if (previous) {
        const config = vscode.workspace.getConfiguration(SECTION);
        await config.update('model', previous.model, vscode.ConfigurationTarget.Global);
        await config.update('profile', previous.profile, vscode.ConfigurationTarget.Global);
        void vscode.window.showInformationMessage(`VoiceFlow: Whisper ${model} is not downloaded; dictation stays on ${previous.profile}.`);
      }
    }
  };
  /** VoiceFlow: Download the Precise Model, and the Download button of a start that found it missing. */
  const downloadModel = () => {
    const configured = readSettings().model;
    return downloadWithProgress(isDownloadable(configured) ? configured : PROFILES.precise.model, engineHost, log);
  };
  const toggleKey = new HoldToTalk({
    dictating: () => dictation.dictating,
    start: () => void dictation.start(),
    stop: () => void dictation.stop(),
    note: (message) => log.info(message),
  });
  const performance = new PerformancePanel(context.extensionUri, {
    metrics: async () => (engineHost.pid ? (await engineHost.engine()).metrics() : undefined),
    // The panel has the focus when its button is clicked: back to the editor the user last used, then start.
    toggleDictation: () => void toggleFromPanel(),
    copyReport: () => void vscode.commands.executeCommand('voiceflow.copyPerformanceReport'),
    model: () => readSettings().model,
    encoderWindow: () => readSettings().encoderWindow,
    profile: () => readSettings().profile,
    hangoverMs: () => readSettings().hangoverMs,
    warningMs: () => readSettings().latencyWarningMs,
    enginePid: () => engineHost.pid,
  });
  const toggleFromPanel = async () => {
    const editor = dictation.targetEditor();
    if (!dictation.dictating && editor)
      await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
    dictation.targets.name('editor');
    await dictation.toggle();
  };
  const copyReport = async () => {
    await vscode.env.clipboard.writeText(reportMarkdown(await performance.report()));
    void vscode.window.showInformationMessage('VoiceFlow: performance report copied to the clipboard (Markdown).');
  };
  context.subscriptions.push(
    log,
    ghost,
    dictation,
    statusBar,
    performance,
    toggleKey,
    engineHost.onDidLevel((n) => performance.level(n)),
    engineHost.onDidPartial((n) => performance.partial(n)),
    dictation.listen(statusBar),
    dictation.listen(ghost),
    dictation.listen(modelProgress),
    dictation.listen(performance),
    // A keybinding's `args` say which input had the focus (`{ "target": "terminal" }`; package.json's `when` clauses).
    vscode.commands.registerCommand('voiceflow.startDictation', (args?: unknown) => {
      dictation.targets.name(targetFromArgs(args));
      return dictation.start();
    }),
    vscode.commands.registerCommand('voiceflow.stopDictation', () => dictation.stop()),
    // The toggle key: a tap starts or stops dictation, holding it dictates until it is released.
    vscode.commands.registerCommand('voiceflow.toggleDictation', (args?: unknown) => {
      dictation.targets.name(targetFromArgs(args));
      toggleKey.press();
    }),
    vscode.commands.registerCommand('voiceflow.showPerformance', () => performance.show()),
    vscode.commands.registerCommand('voiceflow.copyPerformanceReport', () => copyReport()),
    vscode.commands.registerCommand('voiceflow.selectMicrophone', () => selectMicrophone(engineHost)),
    vscode.commands.registerCommand('voiceflow.selectModel', () => selectModel(prepareModel)),
    vscode.commands.registerCommand('voiceflow.downloadModel', () => downloadModel()),
    vscode.commands.registerCommand('voiceflow.showHistory', () => showHistory(history)),
    registerVoiceCommands(),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsEngine(e)) void engineHost.reconfigure().catch((err: Error) => log.warn(`Settings not applied: ${err.message}`));
      if (e.affectsConfiguration(SECTION)) statusBar.refresh();
    }),
  );
  log.info('VoiceFlow activated.');
  return {
    statusBarText: () => statusBar.text,
    panelSnapshot: () => performance.snapshot(),
    panelVisible: () => performance.visible,
    history: () => history.all,
    enginePid: () => engineHost.pid,
    dictating: () => dictation.dictating,
    ghostText: () => ghost.text,
    panelMessage: (m) => performance.receive(m),
  };
}

export async function deactivate(): Promise<void> {
  await host?.dispose();
  host = undefined;
}

async function selectMicrophone(host: EngineHost): Promise<void> {
  const settings = readSettings();
  let devices;
  try {
    devices = (await (await host.engine()).listDevices({ backend: settings.captureBackend })).devices;
  } catch (err) {
    void vscode.window.showErrorMessage(`VoiceFlow: cannot list microphones: ${(err as Error).message}`);
    return;
  }
  const pick = await vscode.window.showQuickPick(
    [{ label: 'System default', name: '' }, ...devices.map((d) => ({ label: d.name, name: d.name }))].map((i) => ({
      ...i,
      description: i.name === settings.microphone ? 'current' : undefined,
    })),
    { title: 'VoiceFlow: Select Microphone', placeHolder: `Input devices seen by ${settings.captureBackend}; remembered by name` },
  );
  if (pick) await vscode.workspace.getConfiguration(SECTION).update('microphone', pick.name, vscode.ConfigurationTarget.Global);
}

async function selectModel(prepare: (previous: { profile: Profile; model: ModelName }) => Promise<void>): Promise<void> {
  const current = readSettings().profile;
  const previous = { profile: current, model: readSettings().model };
  const items: Array<vscode.QuickPickItem & { profile: Profile; model?: ModelName }> = [
    { label: 'Fast', detail: profileDescription('fast'), profile: 'fast' },
    { label: 'Balanced', detail: profileDescription('balanced'), profile: 'balanced' },
    { label: 'Accurate', detail: profileDescription('accurate'), profile: 'accurate' },
    { label: 'Precise (download)', detail: profileDescription('precise'), profile: 'precise' },
    ...MODEL_NAMES.map((m) => ({
      label: `Custom: ${m}${isDownloadable(m) ? ' (download)' : ''}`,
      detail: 'with voiceflow.encoderWindow as set',
      profile: 'custom' as const,
      model: m,
    })),
  ];
  for (const i of items) if (i.profile === current && (current !== 'custom' || i.model === readSettings().model)) i.description = 'current';
  const pick = await vscode.window.showQuickPick(items, { title: 'VoiceFlow: Select Model' });
  if (!pick) return;
  const config = vscode.workspace.getConfiguration(SECTION);
  if (pick.model) await config.update('model', pick.model, vscode.ConfigurationTarget.Global);
  await config.update('profile', pick.profile, vscode.ConfigurationTarget.Global);
  await prepare(previous);
}

async function showHistory(history: DictationHistory): Promise<void> {
  if (history.all.length === 0) {
    void vscode.window.showInformationMessage('VoiceFlow: nothing dictated yet.');
    return;
  }
  const pick = await vscode.window.showQuickPick(
    history.all.map((e) => ({
      label: e.text,
      description: new Date(e.at).toLocaleTimeString(),
      detail: e.notInserted ? `not inserted: ${e.notInserted}` : undefined,
      entry: e,
    })),
    { title: 'VoiceFlow: Dictation History', placeHolder: 'Pick an utterance to insert it at the cursor' },
  );
  if (!pick) return;
  const editor = vscode.window.activeTextEditor;
  const outcome = editor ? await insertAtCursor(editor, pick.entry.text) : { inserted: false as const, reason: 'no text editor is active' };
  if (!outcome.inserted) {
    await vscode.env.clipboard.writeText(pick.entry.text);
    void vscode.window.showInformationMessage(`VoiceFlow: ${outcome.reason}; the text is on the clipboard.`);
  }
}
