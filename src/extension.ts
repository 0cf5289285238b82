/**
 * VS Code entry point. It only wires things together; the engine lives in its own process (dist/engine.js).
 * The full dictation UI lands with the extension issue; this registers the commands the manifest declares.
 */
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const notReady = () =>
    void vscode.window.showInformationMessage('VoiceFlow: live dictation in the editor is not built yet; use the voiceflow CLI.');
  context.subscriptions.push(
    vscode.commands.registerCommand('voiceflow.startDictation', notReady),
    vscode.commands.registerCommand('voiceflow.stopDictation', notReady),
  );
}

export function deactivate(): void {
  /* nothing to release yet */
}
