/**
 * Dictation from the user's side: start, stop, toggle; each final utterance inserted at the cursor or, when it
 * cannot be, kept on the clipboard and in the history with a word to the user. Dictated text is never dropped.
 */
import * as vscode from 'vscode';
import { downloadQuestion, notDownloaded } from '../views/modelDownload';
import { readSettings } from '../config';
import {
  AudioSourceSpec,
  EngineState,
  ErrorNotification,
  FinalNotification,
  PartialNotification,
  ProvisionalNotification,
  SessionEndNotification,
} from '../protocol';
import { EngineHost } from './engineHost';
import { feltLatencyMs } from './feltLatency';
import { DictationHistory } from './history';
import { interpret } from '../grammar/grammar';
import { VoiceCommand } from '../grammar/tables';
import { OpenInsertion, SpokenEdits } from './spokenEdits';
import { InputTargets } from './inputTargets';
import { TARGET_NAMES } from './dictationTarget';
import { WorkspaceVocabulary } from './workspaceVocabulary';
import { DEFAULT_DEVICE, resolveMicrophone } from './microphone';
import { GhostText } from '../views/ghostText';

export const DICTATING_CONTEXT = 'voiceflow.dictating';

export type DictationState = EngineState | 'starting';

export interface UtteranceRecord extends FinalNotification {
  /** Time spent applying the edit in the editor, ms. */
  insertMs: number;
  /** From the utterance's close to the text in the editor, ms: processing plus insertion. */
  latencyMs: number;
  /** What the user feels: from the end of speech to the text in the editor (or on the clipboard), ms. */
  feltMs: number;
  inserted: boolean;
  /** The text was in the editor as provisional text before the utterance was final; feltMs is from then. */
  provisional?: boolean;
}

export interface DictationListener {
  onDictationState(state: DictationState, detail?: string): void;
  onUtterance(u: UtteranceRecord): void;
}

export class DictationController implements vscode.Disposable {
  private sessionId?: number;
  private source?: AudioSourceSpec;
  private starting?: Promise<void>;
  /** The stop in flight, and the session it stops. */
  private stopping?: { sessionId: number; done: Promise<void> };
  /**
   * Sessions stopped whose last finals may still come: dictation started again meanwhile (a tap right after a tap, a
   * hold that goes on) listens in a new session while the engine transcribes the old one's last words.
   */
  private readonly finishing = new Set<number>();
  private readonly listeners = new Set<DictationListener>();
  /** Serializes insertions so utterances land in the order they were spoken. */
  private inserting: Promise<void> = Promise.resolve();
  private readonly subscriptions: vscode.Disposable[];
  /** The spoken grammar's side in the editor: spacing across utterances, and the voice commands. */
  private readonly spoken = new SpokenEdits(() => void this.stop());
  /** The inputs other than the editor (terminal, commit message box...), and which one has the focus. */
  readonly targets = new InputTargets();
  /** The terms Whisper is prompted with, from the editor around the cursor; identifiers said alone. */
  private readonly vocabulary: WorkspaceVocabulary;
  /** Microphone notices already shown (a missing device is named once, not at every start). */
  private readonly toldMicrophone = new Set<string>();
  /**
   * The utterance whose provisional text is in the editor (sent before its pause was over): its final confirms it,
   * or revises it in place when speech went on.
   */
  private provisional?: { sessionId: number; utteranceId: number; text: string; open: OpenInsertion; feltMs: number };
  /** The text editor the user last worked in: the target when a webview (the performance panel) has the focus. */
  private lastEditor?: vscode.TextEditor = vscode.window.activeTextEditor;

  constructor(
    private readonly host: EngineHost,
    private readonly history: DictationHistory,
    private readonly log: vscode.LogOutputChannel,
    private readonly ghost: GhostText,
  ) {
    this.vocabulary = new WorkspaceVocabulary(
      () => (this.sessionId !== undefined ? host.engine() : undefined),
      () => this.targetEditor(),
      log,
    );
    this.subscriptions = [
      this.vocabulary,
      this.spoken,
      this.targets,
      host.onDidFinal((n) => this.onFinal(n)),
      host.onDidPartial((n) => this.onPartial(n)),
      host.onDidProvisional((n) => this.onProvisional(n)),
      host.onDidChangeState((n) => this.onState(n.state, n.sessionId, n.device)),
      host.onDidError((n) => this.onError(n)),
      host.onDidEndSession((n) => this.onSessionEnd(n)),
      host.onDidCrash((reason) => this.onCrash(reason)),
      vscode.window.onDidChangeActiveTextEditor((e) => e && (this.lastEditor = e)),
    ];
  }

  get dictating(): boolean {
    return this.sessionId !== undefined || this.starting !== undefined;
  }

  listen(l: DictationListener): vscode.Disposable {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  }

  /** Where dictated text goes: the active text editor, else the last one used if it is still on screen. */
  targetEditor(): vscode.TextEditor | undefined {
    const last = this.lastEditor;
    return vscode.window.activeTextEditor ?? (last && vscode.window.visibleTextEditors.includes(last) ? last : undefined);
  }

  private emitState(state: DictationState, detail?: string): void {
    for (const l of this.listeners) l.onDictationState(state, detail);
  }

  async toggle(): Promise<void> {
    if (this.dictating) await this.stop();
    else await this.start();
  }

  async start(): Promise<void> {
    // Started again while the last session is still being stopped (the toggle key's late repeat, a quick second tap):
    // a new session at once; the engine opens it as soon as the old one's audio is read, and the old one's last
    // words still come in and are inserted (end()).
    if (this.sessionId !== undefined && this.stopping?.sessionId === this.sessionId) this.sessionId = undefined;
    if (this.dictating) return this.starting;
    this.starting = this.begin();
    try {
      await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  private async begin(): Promise<void> {
    const settings = readSettings();
    this.source = settings.audioSource
      ? { kind: 'file', path: settings.audioSource, realtime: settings.audioSourceRealtime }
      : { kind: 'microphone', device: DEFAULT_DEVICE, backend: settings.captureBackend };
    this.emitState('starting');
    this.targets.begin();
    await setContext(true);
    try {
      const engine = await this.host.engine();
      if (this.source.kind === 'microphone' && settings.microphone) {
        const { devices } = await engine.listDevices({ backend: settings.captureBackend });
        const choice = resolveMicrophone(settings.microphone, devices);
        this.source.device = choice.device;
        // Said once per missing device, not at every start.
        if (choice.notice && !this.toldMicrophone.has(choice.notice)) {
          this.toldMicrophone.add(choice.notice);
          this.log.warn(choice.notice);
          void vscode.window.showWarningMessage(`VoiceFlow: ${choice.notice}`);
        }
      }
      await this.vocabulary.send(engine);
      const { sessionId, device } = await engine.start({ source: this.source });
      this.sessionId = sessionId;
      this.log.info(`Dictation started on ${device} (session ${sessionId}).`);
      this.emitState('listening', device);
    } catch (err) {
      await setContext(false);
      this.emitState('error', (err as Error).message);
      this.log.error(`Could not start dictation: ${(err as Error).message}`);
      if (notDownloaded(err)) {
        // The Precise profile's model is fetched only when the user says so; then dictation starts as asked.
        void vscode.window.showWarningMessage(`VoiceFlow: ${downloadQuestion(settings.model)}`, 'Download').then(async (choice) => {
          if (choice === 'Download' && (await vscode.commands.executeCommand<boolean>('voiceflow.downloadModel'))) await this.start();
        });
      } else void vscode.window.showErrorMessage(`VoiceFlow: ${(err as Error).message}`);
    }
  }

  /** Stops listening; what was already heard is still transcribed and inserted. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const sessionId = this.sessionId;
    if (sessionId === undefined) return;
    if (this.stopping?.sessionId !== sessionId) {
      const stopping = { sessionId, done: this.end(sessionId) };
      this.stopping = stopping;
      void stopping.done.finally(() => this.stopping === stopping && (this.stopping = undefined));
    }
    return this.stopping.done;
  }

  private async end(sessionId: number): Promise<void> {
    this.finishing.add(sessionId);
    try {
      const engine = await this.host.engine();
      await engine.stop();
    } catch (err) {
      this.log.warn(`Stopping dictation: ${(err as Error).message}`);
    }
    await this.inserting;
    this.finishing.delete(sessionId);
    if (this.sessionId === sessionId) this.ended();
    // Dictation started again meanwhile: only this session's provisional text is settled.
    else if (this.provisional?.sessionId === sessionId) this.settleProvisional();
  }

  private ended(): void {
    this.settleProvisional();
    this.ghost.clear();
    this.sessionId = undefined;
    void setContext(false);
    this.emitState('idle');
  }

  // The engine's events (EngineHost).

  private onState(state: EngineState, sessionId?: number, device?: string): void {
    if (sessionId !== undefined && sessionId === this.sessionId && state !== 'idle') this.emitState(state, device);
  }

  private onSessionEnd(n: SessionEndNotification): void {
    if (n.sessionId !== this.sessionId) return;
    void this.inserting.then(() => {
      if (n.sessionId !== this.sessionId) return;
      if (n.reason === 'eof') this.log.info(`Dictation source ended after ${n.utterances} utterances.`);
      this.ended();
    });
  }

  private onError(n: ErrorNotification): void {
    if (n.sessionId !== undefined && n.sessionId !== this.sessionId && !this.finishing.has(n.sessionId)) return;
    this.log.error(`Engine error ${n.code}: ${n.message}`);
    this.emitState('error', n.message);
    void vscode.window.showErrorMessage(`VoiceFlow: ${n.message}`);
  }

  /** The engine died: a microphone dictation resumes on the restarted engine; a file dictation stops. */
  private onCrash(reason: string): void {
    if (this.sessionId === undefined) return;
    const resume = this.source?.kind === 'microphone';
    this.ended();
    this.emitState('error', reason);
    if (resume) {
      this.log.info('Resuming dictation on the restarted engine.');
      void this.start();
    }
  }

  private onPartial(n: PartialNotification): void {
    if (n.sessionId !== this.sessionId) return;
    const p = this.provisionalOf(n);
    if (p) {
      // Speech went on after provisional text: the partials cover it too, so only what comes after it is shown.
      this.ghost.show(...afterWords([n.text, n.tentative], wordCount(p.text)));
    } else {
      this.ghost.show(n.text, n.tentative);
    }
  }

  /** The provisional text in the editor when it belongs to the utterance `n` is about. */
  private provisionalOf(n: { sessionId: number; utteranceId: number }): typeof this.provisional {
    const p = this.provisional;
    return p?.sessionId === n.sessionId && p.utteranceId === n.utteranceId ? p : undefined;
  }

  private onProvisional(n: ProvisionalNotification): void {
    if (n.sessionId !== this.sessionId || n.text.trim() === '') return;
    const receivedAt = Date.now();
    this.inserting = this.inserting.then(() => this.insertProvisional(n, receivedAt));
  }

  /**
   * Provisional text goes into the editor at once (and only there: the other inputs cannot be revised); a command
   * waits for the final. A later provisional of the same utterance revises it.
   */
  private async insertProvisional(n: ProvisionalNotification, receivedAt: number): Promise<void> {
    if (n.sessionId !== this.sessionId || this.targets.current !== 'editor') return;
    const p = this.provisionalOf(n);
    // Another utterance's provisional text is still open: this one waits for its final.
    if (this.provisional && !p) return;
    const editor = this.targetEditor();
    if (!editor && !p) return;
    const heard = this.vocabulary.spell(n.text);
    const meaning = readSettings().grammar ? interpret(heard) : undefined;
    if (meaning?.kind === 'command') return;
    const text = meaning ? meaning.text : heard;
    if (p?.text === text) return;
    this.ghost.clear();
    let open: OpenInsertion | undefined;
    if (p) {
      open = (await this.spoken.revise(p.open, text, meaning)).open;
    } else {
      open = (await this.spoken.insert(editor!, text, meaning)).open;
    }
    if (!open) return;
    const feltMs = feltLatencyMs({ ...n, receivedAt, doneAt: Date.now() });
    this.provisional = { sessionId: n.sessionId, utteranceId: n.utteranceId, text, open, feltMs };
  }

  /** Provisional text that gets no final (the session ended, the engine died) stays as it is, and joins the history. */
  private settleProvisional(): void {
    const p = this.provisional;
    if (!p) return;
    this.provisional = undefined;
    this.history.add({ text: p.text, at: Date.now(), insertedInto: p.open.entry.uri });
  }

  private onFinal(n: FinalNotification): void {
    if (n.sessionId !== this.sessionId && !this.finishing.has(n.sessionId)) return;
    if (n.text.trim() === '' && !this.provisionalOf(n)) return;
    const receivedAt = Date.now();
    this.inserting = this.inserting.then(() => this.insert(n, receivedAt));
  }

  private async insert(n: FinalNotification, receivedAt: number): Promise<void> {
    const t0 = performance.now();
    this.ghost.clear();
    const provisional = this.provisionalOf(n);
    if (provisional) this.provisional = undefined;
    if (provisional && n.text.trim() === '') {
      // The engine found it was not speech once the utterance ended (a held tone, a guard on the whole utterance):
      // the provisional text goes. A final merely empty leaves the words heard where they are.
      if (!n.rejected) return this.record(n, provisional.text, provisional.feltMs, 0, provisional.open.entry.uri);
      const removed = await this.spoken.revise(provisional.open, '');
      this.log.info(`Provisional text "${abbreviate(provisional.text)}" ${removed.inserted ? 'removed' : 'left as it is'}: ${n.rejected}.`);
      return;
    }
    const editor = this.targetEditor();
    const heard = this.vocabulary.spell(n.text);
    const meaning = readSettings().grammar ? interpret(heard) : undefined;
    const target = this.targets.current;
    if (meaning?.kind === 'command') {
      if (provisional) await this.spoken.revise(provisional.open, '', undefined);
      return this.command(meaning.command, editor);
    }
    const text = meaning ? meaning.text : heard;
    if (provisional?.text === text) {
      return this.record(n, text, provisional.feltMs, performance.now() - t0, provisional.open.entry.uri);
    }
    const outcome = provisional
      ? await this.spoken.revise(provisional.open, text, meaning).then((o) =>
          o.inserted
            ? { inserted: true as const, into: provisional.open.entry.uri }
            : {
                inserted: false as const,
                reason: `the text written at your pause ("${abbreviate(provisional.text, 30)}") could not be rewritten: ${o.reason}`,
              },
        )
      : target !== 'editor'
        ? await this.targets.insert(target, text, heard, meaning)
        : editor
          ? await this.spoken
              .insert(editor, text, meaning)
              .then((o) => (o.inserted ? { inserted: true as const, into: editor.document.uri.toString() } : o))
          : { inserted: false as const, reason: 'no text editor is active' };
    const insertMs = performance.now() - t0;
    if (outcome.inserted) {
      this.history.add({ text, at: Date.now(), insertedInto: outcome.into });
    } else {
      await vscode.env.clipboard.writeText(text);
      this.history.add({ text, at: Date.now(), notInserted: outcome.reason });
      this.log.warn(`Not inserted (${outcome.reason}): "${text}" is on the clipboard and in the history.`);
      void vscode.window
        .showWarningMessage(
          `VoiceFlow: ${outcome.reason}, so "${abbreviate(text)}" is on the clipboard and in the dictation history.`,
          'Show History',
        )
        .then((pick) => pick && vscode.commands.executeCommand('voiceflow.showHistory'));
    }
    const feltMs = feltLatencyMs({
      speechEndedAt: n.speechEndedAt,
      endOfSpeechToTextMs: n.endOfSpeechToTextMs,
      receivedAt,
      doneAt: Date.now(),
    });
    const record: UtteranceRecord = { ...n, insertMs, latencyMs: n.processingMs + insertMs, feltMs, inserted: outcome.inserted };
    for (const l of this.listeners) l.onUtterance(record);
  }

  /** A final whose text was already in the editor as provisional text: history and figures, no edit. */
  private record(n: FinalNotification, text: string, feltMs: number, insertMs: number, into: string): void {
    this.history.add({ text, at: Date.now(), insertedInto: into });
    const record: UtteranceRecord = {
      ...n,
      text,
      insertMs,
      latencyMs: n.processingMs + insertMs,
      feltMs,
      inserted: true,
      provisional: true,
    };
    for (const l of this.listeners) l.onUtterance(record);
  }

  /** A voice command ("scratch that"...): carried out, or the user is told why not. Commands are not history. */
  private async command(command: VoiceCommand, editor: vscode.TextEditor | undefined): Promise<void> {
    const target = this.targets.current;
    const outcome =
      target === 'editor' || command === 'stop dictation'
        ? await this.spoken.run(command, editor)
        : command === 'no space' || command === 'scratch that'
          ? await this.targets.run(command, target)
          : { done: false as const, reason: `it works in the editor, not in ${TARGET_NAMES[target]}` };
    if (outcome.done) {
      this.log.info(`Voice command: ${command}.`);
    } else {
      this.log.warn(`Voice command "${command}" not carried out: ${outcome.reason}.`);
      void vscode.window.showWarningMessage(`VoiceFlow: "${command}": ${outcome.reason}.`);
    }
  }

  dispose(): void {
    this.listeners.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}

function setContext(dictating: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', DICTATING_CONTEXT, dictating);
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** The interim text's parts without their first `skip` words (committed first, then tentative). */
function afterWords([committed, tentative]: [string, string], skip: number): [string, string] {
  const c = committed.split(/\s+/).filter(Boolean);
  const t = tentative.split(/\s+/).filter(Boolean);
  return [c.slice(skip).join(' '), t.slice(Math.max(0, skip - c.length)).join(' ')];
}

function abbreviate(text: string, max = 60): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}
