/**
 * The speech engine's state and requests: its configuration, the loaded models, the capture thread and the one live
 * session. It knows nothing of JSON-RPC (src/engine/main.ts binds it to the connection) and never imports `vscode`,
 * so it can be constructed in a test. Every request's params are checked against one schema first (params.ts): a
 * request that fails changes nothing.
 */
import { CaptureHost } from './live/capture/captureHost';
import {
  DEFAULT_CAPTURE_BACKEND,
  DownloadModelResult,
  DownloadProgressNotification,
  EngineConfig,
  EngineErrorCode,
  EngineState,
  ErrorNotification,
  FinalNotification,
  InitializeResult,
  LevelNotification,
  ListDevicesResult,
  LogLevel,
  MetricsResult,
  ModelName,
  PartialNotification,
  ProvisionalNotification,
  PROTOCOL_VERSION,
  SessionEndNotification,
  StartResult,
  TranscribeFileResult,
} from '../protocol';
import { DEFAULT_LEVERS, defaults, ENGINE_SETTINGS } from '../settings';
import { EngineError } from './errors';
import { readAudioFile, transcribeFile } from './fileTranscriber';
import { ListenSession } from './live/session';
import { EngineMetrics } from './metrics';
import { downloadWhisper } from './models/download';
import { defaultCacheDir } from './models/preparedCache';
import { reverifyTrusted } from './models/fileStamp';
import { ModelRegistry } from './models/registry';
import { checkConfig, checkDownloadModel, checkInitialize, checkListDevices, checkStart, checkTranscribeFile } from './params';
import { SileroVad } from './live/vad';
import { vocabularyPrompt } from './whisper/vocabularyPrompt';
import { encoderWindow, warmUp, Whisper } from './whisper/whisper';
import { dropSpareWhisperWorker } from './whisper/spareWorker';
import { SpeechModel, WhisperThread } from './whisper/whisperThread';

/** The configuration before any initialize: the settings table's defaults; levers at theirs (DEFAULT_LEVERS), merged where used. */
export const DEFAULT_CONFIG = { ...defaults(ENGINE_SETTINGS), levers: {} } as Required<Omit<EngineConfig, 'modelDir' | 'cacheDir'>> & {
  modelDir?: string;
  cacheDir?: string;
};
type Config = typeof DEFAULT_CONFIG;

/** What the engine tells its client, unasked. */
export interface EngineOutput {
  log(level: LogLevel, message: string): void;
  state(state: EngineState, sessionId?: number, device?: string): void;
  final(n: FinalNotification): void;
  provisional(n: ProvisionalNotification): void;
  partial(n: PartialNotification): void;
  level(n: LevelNotification): void;
  error(n: ErrorNotification): void;
  sessionEnd(n: SessionEndNotification): void;
  downloadProgress(n: DownloadProgressNotification): void;
}

/** How long after a load the files trusted by their stamps are hashed again, ms: after the start's own work. */
const REVERIFY_DELAY_MS = 3000;

export class Engine {
  private config: Config = { ...DEFAULT_CONFIG };
  /** The session listening now, or the one being stopped. */
  private session: ListenSession | undefined;
  /** Every session not yet done: one listening, and those still transcribing their last utterances. */
  private readonly sessions = new Set<ListenSession>();
  private nextSessionId = 1;
  private readonly capture = new CaptureHost();
  readonly metrics = new EngineMetrics();
  /** Warnings already sent (a cache that cannot be written warns once, not once per model and start). */
  private readonly warned = new Set<string>();
  private reverifyTimer: NodeJS.Timeout | undefined;
  /** The model being downloaded, if any. */
  private downloading: ModelName | undefined;
  private readonly whispers: ModelRegistry<SpeechModel>;
  private readonly vads: ModelRegistry<SileroVad>;
  /** The vocabulary prompt's tokens for the configured terms (every model has the same pinned tokenizer). */
  private vocabularyTokens?: { terms: string; tokens: readonly number[] };
  /** Models whose warm-up has been started (`warm`). */
  private readonly warmed = new WeakSet<SpeechModel>();

  constructor(private readonly out: EngineOutput) {
    const info = (m: string) => out.log('info', m);
    this.whispers = new ModelRegistry<SpeechModel>('Whisper', () => this.releaseUnused(), info);
    this.vads = new ModelRegistry<SileroVad>('the VAD', () => this.releaseUnused(), info);
  }

  async initialize(params: unknown): Promise<InitializeResult> {
    const next = this.merged(checkInitialize(params));
    this.out.state('loading');
    this.capture.prestart();
    const t0 = performance.now();
    try {
      const [whisper] = await Promise.all([this.whisperFor(next), this.vadFor(next)]);
      whisper.checkLanguage(next.language);
      // Applied only once its models loaded: a failed initialize leaves the previous configuration in force.
      this.commit(next);
      return {
        protocolVersion: PROTOCOL_VERSION,
        model: whisper.name,
        language: next.language,
        loadMs: performance.now() - t0,
        cachedEdits: whisper.cachedEdits,
      };
    } finally {
      this.out.state(this.session ? 'listening' : 'idle');
    }
  }

  configure(params: unknown): void {
    const next = this.merged(checkConfig(params));
    // A language is checked against the tokenizer when a model is loaded (else when the next one loads).
    this.whispers.loaded(this.whisperKey(this.config))?.checkLanguage(next.language);
    this.commit(next);
    // A running session hears the new words from its next utterance.
    this.whispers.loaded(this.whisperKey(next))?.listenFor(next.boostWords);
  }

  async transcribeFile(params: unknown): Promise<TranscribeFileResult> {
    const { path, model, language } = checkTranscribeFile(params);
    const c = this.config;
    const lang = language ?? c.language;
    const m = model ?? c.model;
    const v = await this.vadFor(c);
    const result = await this.whispers.with(this.whisperKey(c, m), this.loadWhisper(c, m), (whisper) => {
      whisper.listenFor(c.boostWords);
      return transcribeFile(path, whisper, v.clone(), lang, fileSegmenterOptions(c), {
        vocabulary: this.vocabularyFor(whisper),
        final: c.levers.secondLook ?? DEFAULT_LEVERS.secondLook,
      });
    });
    if (m !== this.config.model) this.releaseUnused();
    this.metrics.clippedSamples += result.ingest.clippedSamples;
    for (const s of result.segments) this.metrics.recordAll(s.timings);
    return result;
  }

  async start(params: unknown): Promise<StartResult> {
    const { source } = checkStart(params);
    const busy = () => new EngineError(EngineErrorCode.Busy, 'Already listening: stop the current dictation first.');
    await this.afterClosing();
    if (this.session && !this.session.closing) throw busy();
    const fileSamples = source.kind === 'file' ? readAudioFile(source.path).samples : undefined;
    const c = this.config;
    const [whisper, v] = await Promise.all([this.whisperFor(c), this.vadFor(c)]);
    whisper.checkLanguage(c.language);
    whisper.listenFor(c.boostWords);
    await this.afterClosing();
    if (this.session && !this.session.closing) throw busy();
    const id = this.nextSessionId++;
    const out = this.out;
    const s = new ListenSession(
      id,
      whisper,
      v.clone(),
      c.language,
      segmenterOptions(c),
      this.metrics,
      this.capture,
      {
        state: (state, device) => out.state(state, id, device),
        final: (n) => out.final(n),
        provisional: (n) => out.provisional(n),
        level: (n) => out.level(n),
        partial: (n) => out.partial(n),
        error: (e) => out.error({ code: e.code, message: e.message, sessionId: id }),
      },
      {
        partials: c.partials,
        speculate: c.speculative,
        provisional: c.speculative && c.provisional,
        earlyClose: c.levers.earlyClose ?? DEFAULT_LEVERS.earlyClose,
        continuity: c.levers.continuity ?? DEFAULT_LEVERS.continuity,
        secondLook: c.levers.secondLook ?? DEFAULT_LEVERS.secondLook,
        vocabulary: () => this.vocabularyFor(whisper),
      },
    );
    this.session = s;
    this.sessions.add(s);
    // The session's models stay loaded until it ends, whatever the configuration does meanwhile.
    const releaseWhisper = this.whispers.hold(this.whisperKey(c));
    const releaseVad = this.vads.hold(this.vadKey(c));
    void s.done.then((end: SessionEndNotification) => {
      if (this.session === s) this.session = undefined;
      this.sessions.delete(s);
      releaseWhisper();
      releaseVad();
      out.sessionEnd(end);
      out.state('idle', id);
    });
    // A device that cannot be opened fails the request (and the session ends, back to idle).
    const device = await s.start(source, fileSamples);
    out.log('info', `Session ${id} listening on ${device}`);
    // Once listening: the warm-up's passes would otherwise take the cores from the capture thread's start.
    this.warm(whisper, c.model);
    return { sessionId: id, device };
  }

  /**
   * A session being stopped holds the device and the ring only until its captured audio has been through the VAD;
   * its last utterances are transcribed after that. A start waits for that much, not for the transcriptions, so
   * dictation started again at once (the toggle key pressed again, a hold that goes on) listens again sooner.
   */
  private async afterClosing(): Promise<void> {
    while (this.session?.closing) {
      const s = this.session;
      await s.ringRead;
      if (this.session === s) this.session = undefined;
    }
  }

  async stop(): Promise<SessionEndNotification | null> {
    return this.session ? this.session.stop() : null;
  }

  snapshot(): MetricsResult {
    return this.metrics.snapshot();
  }

  async listDevices(params: unknown): Promise<ListDevicesResult> {
    const b = checkListDevices(params).backend ?? DEFAULT_CAPTURE_BACKEND;
    return { backend: b, devices: await this.capture.listDevices(b) };
  }

  /**
   * Downloads a model not installed with the extension into the cache folder (download.ts), reporting progress; one
   * download at a time. Dictation goes on meanwhile (Whisper runs on its own thread).
   */
  async downloadModel(params: unknown, signal?: AbortSignal): Promise<DownloadModelResult> {
    const { model } = checkDownloadModel(params);
    if (this.downloading) {
      throw new EngineError(EngineErrorCode.Busy, `The ${this.downloading} model is being downloaded; wait for it or cancel it first.`);
    }
    this.downloading = model;
    try {
      const r = await downloadWhisper(model, cacheDir(this.config), {
        signal,
        onProgress: (p) => this.out.downloadProgress({ model, ...p }),
      });
      this.out.log(
        'info',
        r.downloadedBytes
          ? `Whisper ${model} downloaded (${Math.round(r.downloadedBytes / 1e6)} MB in ${Math.round(r.ms / 1000)} s) to ${r.dir}`
          : `Whisper ${model} was already downloaded in ${r.dir}`,
      );
      return { model, ...r };
    } finally {
      this.downloading = undefined;
    }
  }

  /** Stops the session and the capture thread and releases every model. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.stop()));
    await this.capture.dispose();
    for (const p of [...this.whispers.all(), ...this.vads.all()]) await (await p)?.release();
  }

  /**
   * The tokens of the configured vocabulary, the same array while the terms are the same (a speculative pass is the
   * final only if decoded with the very prompt the final would use).
   */
  private vocabularyFor(whisper: SpeechModel): readonly number[] | undefined {
    const terms = this.config.vocabulary;
    if (terms.length === 0) return undefined;
    const key = terms.join('\n');
    if (this.vocabularyTokens?.terms !== key) this.vocabularyTokens = { terms: key, tokens: vocabularyPrompt(terms, whisper.tokenizer) };
    return this.vocabularyTokens.tokens;
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.out.log('warn', message);
  }

  private whisperKey(c: Config, model: ModelName = c.model): string {
    return `${model}:${c.encoderWindow}:${c.modelDir ?? ''}:${JSON.stringify(c.levers)}`;
  }

  private vadKey(c: Config): string {
    return String(c.levers.vadSequence ?? DEFAULT_LEVERS.vadSequence);
  }

  private loadWhisper(c: Config, model: ModelName): () => Promise<SpeechModel> {
    return async () => {
      const t = performance.now();
      const onThread = c.levers.whisperThread ?? DEFAULT_LEVERS.whisperThread;
      if (!onThread) dropSpareWhisperWorker();
      const load = onThread ? WhisperThread.load : Whisper.load;
      const w = await load(model, c.modelDir, encoderWindow(model, c.encoderWindow, c.levers), c.levers, {
        cacheDir: cacheDir(c),
        warn: (m) => this.warnOnce(m),
      });
      this.out.log(
        'info',
        `Whisper ${model} (${c.encoderWindow} window) loaded in ${Math.round(performance.now() - t)} ms${w.cachedEdits ? ' (prepared models from the cache)' : ''}`,
      );
      this.scheduleReverify();
      return w;
    };
  }

  /**
   * Plans the model's usual shapes in the background (whisper.ts, `warmUp`), once per loaded model, when its first
   * live session starts: between 'listening' and the first words there is time nobody waits on. File
   * transcriptions are not warmed for: they would wait for the warm-up's passes. A failure is only logged.
   */
  private warm(w: SpeechModel, model: ModelName): void {
    if (this.warmed.has(w)) return;
    this.warmed.add(w);
    const t = performance.now();
    warmUp(w).then(
      () => this.out.log('info', `Whisper ${model} warmed up in ${Math.round(performance.now() - t)} ms`),
      (err: Error) => this.out.log('info', `Warming up Whisper ${model} failed (its first pass will be slower): ${err.message}`),
    );
  }

  private whisperFor(c: Config, model: ModelName = c.model): Promise<SpeechModel> {
    return this.whispers.get(this.whisperKey(c, model), this.loadWhisper(c, model));
  }

  private vadFor(c: Config): Promise<SileroVad> {
    return this.vads.get(this.vadKey(c), async () => {
      const v = await SileroVad.load(undefined, cacheDir(c), c.levers);
      this.scheduleReverify();
      return v;
    });
  }

  /** Releases the models the current configuration does not use (and nothing holds). */
  private releaseUnused(): void {
    const c = this.config;
    void this.whispers
      .releaseExcept(this.whisperKey(c))
      .then(() => this.vads.releaseExcept(this.vadKey(c)))
      .catch((err: Error) => this.out.log('warn', `Releasing a model failed: ${err.message}`));
  }

  /**
   * Files trusted at load by their size, mtime and inode (the pinned models, the prepared-model cache) are hashed
   * again in the background after a start: a file damaged in place with its mtime restored is found, its models are
   * unloaded, a damaged cache entry is removed, and the user is told; the next request loads them again (and fails
   * with the file's name if the pinned file itself is damaged).
   */
  private scheduleReverify(): void {
    if (this.reverifyTimer) clearTimeout(this.reverifyTimer);
    this.reverifyTimer = setTimeout(() => {
      this.reverifyTimer = undefined;
      // Files a Whisper thread loaded were trusted on that thread, and are hashed again there.
      const threads = Promise.all(this.whispers.all()).then((ms) => ms.filter((m): m is WhisperThread => m instanceof WhisperThread));
      void Promise.all([reverifyTrusted(), threads.then((ts) => Promise.all(ts.map((t) => t.reverify())))])
        .then(([here, onThreads]) => [...here, ...onThreads.flat()])
        .then(async (problems) => {
          if (problems.length === 0) return;
          for (const p of problems) this.out.log('error', p);
          await this.whispers.releaseAll();
          await this.vads.releaseAll();
          this.out.error({
            code: EngineErrorCode.ModelChecksumMismatch,
            message: `${problems[0]} The models were unloaded and are loaded again at the next dictation.`,
          });
        })
        .catch((err: Error) => this.out.log('warn', `Re-verifying the model files failed: ${err.message}`));
    }, REVERIFY_DELAY_MS);
    this.reverifyTimer.unref();
  }

  /** The configuration `next` would make; nothing is applied. */
  private merged(next: EngineConfig): Config {
    return { ...this.config, ...(Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as Partial<Config>) };
  }

  /** Makes `next` the configuration and releases the models it no longer uses. */
  private commit(next: Config): void {
    const before = this.whisperKey(this.config) + this.vadKey(this.config);
    this.config = next;
    if (this.whisperKey(this.config) + this.vadKey(this.config) !== before) this.releaseUnused();
  }
}

function cacheDir(c: Config): string {
  return c.cacheDir ?? defaultCacheDir();
}

/**
 * File mode splits at the pauses it always did: the live path's 1200 ms hangover and 128 ms post-roll exist for
 * provisional text, and in file mode (utterances grouped into windows, no one waiting at a pause) they only moved
 * window edges: base's dev-set errors went 143 -> 148 with them (docs/decisions.md, "Provisional text").
 */
export const FILE_HANGOVER_MS = 600;
export const FILE_POST_ROLL_MS = 200;

function fileSegmenterOptions(c: Config) {
  return { ...segmenterOptions(c), hangoverMs: Math.min(c.hangoverMs, FILE_HANGOVER_MS), postRollMs: FILE_POST_ROLL_MS };
}

function segmenterOptions(c: Config) {
  return {
    threshold: c.vadThreshold,
    hangoverMs: c.hangoverMs,
    preRollMs: c.preRollMs,
    postRollMs: c.postRollMs,
    maxUtteranceMs: c.maxUtteranceMs,
  };
}
