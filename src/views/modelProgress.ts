/**
 * Progress while a Whisper model loads, where the user waits for it: the first start of dictation (the engine starts
 * and loads the model; the first use on this machine also prepares and caches the edited models) and VoiceFlow:
 * Select Model (which loads the new model right away, so the next start does not wait). A notification counts the
 * seconds and ends with the result; a load that ends within SHOW_AFTER_MS shows nothing.
 */
import * as vscode from 'vscode';
import type { DictationListener, DictationState } from '../dictation/dictationController';
import type { ModelName } from '../protocol';
import { notDownloaded } from './modelDownload';
import { preparingText, readyText } from './preparingText';

/** A load that takes less than this shows no notification, ms (a warm engine switching nothing). */
const SHOW_AFTER_MS = 800;
const TICK_MS = 1000;
/** How long the result stays in the notification before it closes, ms. */
const RESULT_MS = 2500;
/** globalState key: the models loaded at least once on this machine (their edited graphs are cached). */
const PREPARED_KEY = 'voiceflow.preparedModels';

export interface ModelSource {
  /** The model the settings select now. */
  model(): ModelName;
  /** The running engine's process id, undefined when none runs. */
  enginePid(): number | undefined;
}

export class ModelProgress implements DictationListener {
  /** The model the running engine has loaded (engine pid and model), to tell a start that must load one. */
  private loaded?: { pid: number; model: ModelName };
  private waiting?: (state: DictationState) => void;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly source: ModelSource,
  ) {}

  private firstUse(model: ModelName): boolean {
    return !this.memento.get<string[]>(PREPARED_KEY, []).includes(model);
  }

  private markLoaded(model: ModelName): void {
    const pid = this.source.enginePid();
    if (pid !== undefined) this.loaded = { pid, model };
    const prepared = this.memento.get<string[]>(PREPARED_KEY, []);
    if (!prepared.includes(model)) void this.memento.update(PREPARED_KEY, [...prepared, model]);
  }

  onDictationState(state: DictationState): void {
    if (state === 'starting') {
      const model = this.source.model();
      const pid = this.source.enginePid();
      if (pid === undefined || this.loaded?.pid !== pid || this.loaded.model !== model) {
        const ended = new Promise<DictationState>((resolve) => (this.waiting = resolve));
        void this.show(
          model,
          ended.then((s) => (s === 'idle' || s === 'error' ? undefined : s)),
        );
      }
    } else if (state !== 'loading') {
      this.waiting?.(state);
      this.waiting = undefined;
      if (state === 'listening') this.markLoaded(this.source.model());
    }
  }

  onUtterance(): void {
    /* nothing to show */
  }

  /**
   * Runs `load` (VoiceFlow: Select Model) with a notification, and says how it went. A model that is not downloaded
   * yet is not a failure to show: that error is thrown for the caller to offer the download.
   */
  async prepare(model: ModelName, load: () => Promise<unknown>): Promise<void> {
    const t0 = Date.now();
    const firstUse = this.firstUse(model);
    try {
      await this.show(
        model,
        load().then(() => true),
        { quietResult: true },
      );
      this.markLoaded(model);
      void vscode.window.showInformationMessage(`VoiceFlow: ${readyText(model, Date.now() - t0, firstUse)} Dictation uses it from now on.`);
    } catch (err) {
      if (notDownloaded(err)) throw err;
      void vscode.window.showErrorMessage(`VoiceFlow: Whisper ${model} could not be loaded: ${(err as Error).message}`);
    }
  }

  /** A notification counting the seconds until `done` settles (only if it takes over SHOW_AFTER_MS); `done` resolving to undefined means it was cut short. */
  private async show(model: ModelName, done: Promise<unknown>, { quietResult = false } = {}): Promise<void> {
    const t0 = Date.now();
    const firstUse = this.firstUse(model);
    const settled = done.then(
      () => true,
      () => true,
    );
    const quick = await Promise.race([settled, new Promise<false>((r) => setTimeout(() => r(false), SHOW_AFTER_MS))]);
    if (!quick) {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'VoiceFlow' }, async (progress) => {
        const tick = () => progress.report({ message: preparingText(model, firstUse, Date.now() - t0) });
        tick();
        const timer = setInterval(tick, TICK_MS);
        try {
          const result = await done.catch(() => undefined);
          if (result === undefined || quietResult) return;
          progress.report({ message: readyText(model, Date.now() - t0, firstUse) });
          await new Promise((r) => setTimeout(r, RESULT_MS));
        } finally {
          clearInterval(timer);
        }
      });
    }
    await done;
  }
}
