/**
 * VoiceFlow: Show Voice Commands: the grammar's cheat sheet (src/grammar/cheatSheet.ts) as a read-only document,
 * shown as a Markdown preview where VS Code has one, else as the Markdown text itself.
 */
import * as vscode from 'vscode';
import { cheatSheet } from '../grammar/cheatSheet';

export const VOICE_COMMANDS_URI = vscode.Uri.from({ scheme: 'voiceflow-help', path: '/Voice Commands.md' });

export function registerVoiceCommands(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.registerTextDocumentContentProvider(VOICE_COMMANDS_URI.scheme, { provideTextDocumentContent: () => cheatSheet() }),
    vscode.commands.registerCommand('voiceflow.showVoiceCommands', () => showVoiceCommands()),
  );
}

async function showVoiceCommands(): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(VOICE_COMMANDS_URI);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  } catch {
    // No Markdown preview (the built-in extension disabled): the text reads well enough.
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}
