/**
 * The typed JSON-RPC protocol between the speech engine (src/engine/engine.ts) and its clients
 * (the CLI, the extension, the benchmark). The only module both sides import.
 * Transport: vscode-jsonrpc over the Node IPC channel of `child_process.fork`.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';

export const PROTOCOL_VERSION = 1;

export type ModelName = 'tiny' | 'base' | 'small';
export const MODEL_NAMES: readonly ModelName[] = ['tiny', 'base', 'small'];
/**
 * Models not installed with the extension, by the size of their download (bytes): fetched on first use, when the
 * user agrees (Requests.downloadModel). The engine's pins (src/engine/models/pins.ts) hold the same figure.
 */
export const DOWNLOAD_BYTES: Readonly<Partial<Record<ModelName, number>>> = { small: 165623913 };
/** The models installed with the extension (tests and the bench run these by default). */
export const INSTALLED_MODELS: readonly ModelName[] = MODEL_NAMES.filter((m) => DOWNLOAD_BYTES[m] === undefined);
/** Where those downloads come from. */
export const DOWNLOAD_HOST = 'registry.npmjs.org';

/** Error codes carried by JSON-RPC errors and `error` notifications. Server-defined range. */
export enum EngineErrorCode {
  FileNotFound = -32001,
  NotWav = -32002,
  TruncatedWav = -32003,
  UnsupportedWav = -32004,
  InvalidSamples = -32005,
  UnknownModel = -32010,
  ModelMissing = -32011,
  ModelChecksumMismatch = -32012,
  ModelLoadFailed = -32013,
  /** A model download failed (network, disk, or not the pinned package). */
  DownloadFailed = -32014,
  /** The model is downloaded on first use and has not been (Requests.downloadModel). */
  ModelNotDownloaded = -32015,
  InferenceFailed = -32020,
  Busy = -32030,
  NotListening = -32031,
  CaptureFailed = -32040,
  DeviceNotFound = -32041,
  BackendUnavailable = -32042,
  PermissionDenied = -32043,
  DeviceLost = -32044,
  InvalidParams = -32602,
  /** The client cancelled the request (JSON-RPC's RequestCancelled). */
  Cancelled = -32800,
  Internal = -32603,
}

/** Each field's default, range and description: ENGINE_SETTINGS in src/settings.ts (the one table of settings). */
export interface EngineConfig {
  /** Whisper model. */
  model?: ModelName;
  /** Language code ('en', 'de', ...) or 'auto' to detect. */
  language?: string;
  /** Folder holding `<model>/...` files laid out as the sts-whisper packages; default: the npm packages. */
  modelDir?: string;
  /** Silero speech probability that opens an utterance (0..1). */
  vadThreshold?: number;
  /** Silence after speech that closes an utterance, ms. */
  hangoverMs?: number;
  /** Audio kept from before speech starts, ms. */
  preRollMs?: number;
  /** Silence kept after the last voiced frame (the speculative pass starts once it is in), ms. */
  postRollMs?: number;
  /** Speech longer than this is cut at its quietest point of the last 3 s, ms (at most 28000: Whisper sees 30 s). */
  maxUtteranceMs?: number;
  /** Interim text while speaking. */
  partials?: boolean;
  /** Transcribe during the hangover so the final is ready when the utterance closes. */
  speculative?: boolean;
  /**
   * Send the speculative pass's text as `provisional` as soon as it is ready (postRollMs into a pause), before the
   * hangover closes the utterance: a client that can revise what it inserted shows it at once.
   */
  provisional?: boolean;
  /**
   * 'variable' (default): the encoder runs on the audio plus padding (at least a floor per model) and decoding
   * follows timestamps to stop where the audio ends. 'full': the export's own 30 s window, as the peer runs it.
   */
  encoderWindow?: EncoderWindowMode;
  /**
   * Where edited models are kept between starts (a cold start then skips the graph edits); default
   * VOICEFLOW_CACHE_DIR, else ~/.cache/voiceflow. The extension uses its global storage.
   */
  cacheDir?: string;
  /**
   * Terms Whisper should spell as given (identifiers, names), most relevant first: written after <|startofprev|>
   * as its prompt, before any continuity context, cut to whole terms within the prompt's token budget.
   */
  vocabulary?: string[];
  /**
   * Words the client listens for (its spoken punctuation and commands: "comma", "new line"): the decoder favours their
   * tokens by `levers.wordBoost` logits where they start or continue such a word, so a "comma" nearly heard as
   * "karma" comes out as "comma". Empty: plain decoding.
   */
  boostWords?: string[];
  /** The fast path's inference switches; the benchmark turns them one at a time (A/B). */
  levers?: EngineLevers;
}

export type EncoderWindowMode = 'variable' | 'full';

/**
 * Inference switches (src/engine/models/sessions.ts, src/engine/whisper/). Defaults (the measured best on 2 cores) and
 * the values the bench's A/B tries: LEVER_SETTINGS in src/settings.ts; `npm run bench` prints each one's A/B row.
 */
export interface EngineLevers {
  /**
   * The decoder's output projection: 'int8' (default: transposed once, int8 GEMV with a per-step quantized hidden
   * state, as the export's other layers), 'fp32' (dequantized once, the export's exact numbers), 'export' (as
   * exported: transpose and dequantize the table on every step).
   */
  projection?: ProjectionLever;
  /** With the variable window: decode timestamp tokens and stop at a segment that starts where the audio ends. */
  timestamps?: boolean;
  /**
   * onnxruntime's CPU memory arena, per model. 'decoder' (default): for the decoder's many small per-step tensors,
   * not for the encoder, whose activations for the longest window ever seen the arena would keep (tiny: 583 MB after
   * one 28 s utterance). 'all' and 'none' for the A/B.
   */
  memoryArena?: MemoryArenaLever;
  /** Threads per inference. */
  threads?: number;
  /**
   * Let onnxruntime's threads spin-wait for work between operators instead of sleeping (default false: no faster
   * here, and spinning takes the cores VS Code and the capture thread need).
   */
  spinning?: boolean;
  /**
   * Keep the prepared models' large weights in a data file that onnxruntime maps instead of copying (default true):
   * the decoder's token-embedding table (20 MB for tiny) is then read from disk a row per dictated token.
   */
  mappedWeights?: boolean;
  /**
   * After a transcription, run a full V8 collection when more than 16 MB of onnxruntime's output buffers are held
   * outside the heap (default true); otherwise V8 lets them pile up to ~64 MB first.
   */
  reclaim?: boolean;
  /**
   * Silero VAD edited to score many frames per call (default true; src/engine/models/sileroGraph.ts): a whole file's speech
   * is found ~2.5x faster, and a live frame costs less. Off: the export as it is, one call per frame.
   */
  vadSequence?: boolean;
  /**
   * Live: close an utterance as soon as the speculative pass (run postRollMs into a pause) ends a sentence with a full
   * stop, question or exclamation mark at least this probable, instead of waiting for the whole hangover. 0: off.
   */
  earlyClose?: number;
  /**
   * Live: decode an utterance that follows the previous one within 2 s with that one's text as context (Whisper's
   * <|startofprev|> prompt), so a sentence split by a pause reads on as one sentence.
   */
  continuity?: boolean;
  /** Logits added to the tokens of EngineConfig.boostWords when the decoder chooses (0: off). */
  wordBoost?: number;
  /**
   * Finals on a longer encoder window than partials where the model has one (base: 10 s against 5 s; default true).
   * Live, the provisional text still comes from the speculative pass on the short window; once the utterance closes
   * the final decodes it again on the long one, and revises the provisional text where its words differ.
   */
  secondLook?: boolean;
  /**
   * Run Whisper on a worker thread of its own (default true): onnxruntime-node's inference is synchronous, so on the
   * engine's main thread a pass holds up the VAD, the segmenter and the client's requests.
   */
  whisperThread?: boolean;
}
export type ProjectionLever = 'int8' | 'fp32' | 'export';
export type MemoryArenaLever = 'none' | 'decoder' | 'all';

export interface InitializeParams {
  config: EngineConfig;
}
export interface InitializeResult {
  protocolVersion: number;
  model: ModelName;
  language: string;
  /**
   * Time spent verifying and loading the models, ms. The warm-up (a pass per window on silence, whose first run of a
   * shape plans its memory) is not in it: it runs once the model's first live session is listening.
   */
  loadMs: number;
  /** True when the edited models came from the cache (see EngineConfig.cacheDir). */
  cachedEdits: boolean;
}

/** Per-stage timings of one Whisper pass, ms (tokens is a count). */
export interface StageTimings {
  melMs: number;
  encoderMs: number;
  decoderMs: number;
  tokens: number;
  totalMs: number;
}

export interface SegmentResult {
  startMs: number;
  endMs: number;
  text: string;
  timings: StageTimings;
  /** Why a segment's text was dropped by a guard (silence or hallucination), if it was. */
  rejected?: string;
}

export interface TranscribeFileParams {
  path: string;
  model?: ModelName;
  language?: string;
}
export interface TranscribeFileResult {
  file: string;
  text: string;
  audioMs: number;
  /** Engine-side wall time from request to text, ms. Clients measure their own end-to-end latency. */
  engineMs: number;
  /** Of engineMs, the time spent finding the speech (reading the file, VAD and segmenter), ms. */
  vadMs: number;
  segments: SegmentResult[];
  language: string;
  ingest: IngestReport;
}

export interface IngestReport {
  sourceRate: number;
  channels: number;
  format: 'int16' | 'float32' | 'int24' | 'int32' | 'uint8';
  clippedSamples: number;
}

export type CaptureBackend = 'pvrecorder' | 'naudiodon';
export const CAPTURE_BACKENDS: readonly CaptureBackend[] = ['pvrecorder', 'naudiodon'];
export const DEFAULT_CAPTURE_BACKEND: CaptureBackend = 'pvrecorder';

export type AudioSourceSpec =
  | { kind: 'file'; path: string; realtime: boolean }
  /** `device` is an index from `listDevices` (-1 or absent: the system default). */
  | { kind: 'microphone'; device?: number; backend?: CaptureBackend };

export interface InputDevice {
  index: number;
  name: string;
  isDefault: boolean;
}
export interface ListDevicesParams {
  backend?: CaptureBackend;
}
export interface ListDevicesResult {
  backend: CaptureBackend;
  devices: InputDevice[];
}

export interface DownloadModelParams {
  model: ModelName;
}
export interface DownloadModelResult {
  model: ModelName;
  /** Where its files now are. */
  dir: string;
  /** Bytes downloaded: 0 when the model was already there and matched its pins. */
  downloadedBytes: number;
  ms: number;
}
/** While a model downloads: at most four times a second, and once at the start and the end. */
export interface DownloadProgressNotification {
  model: ModelName;
  receivedBytes: number;
  totalBytes: number;
}

export interface StartParams {
  source: AudioSourceSpec;
}
export interface StartResult {
  sessionId: number;
  /** The name of the device (or 'file') that is being listened to. */
  device: string;
}

export type EngineState = 'idle' | 'loading' | 'listening' | 'speech' | 'transcribing' | 'error';
export interface StateNotification {
  state: EngineState;
  sessionId?: number;
  /** The capture device's name, once a session has opened it. */
  device?: string;
}

export interface UtteranceTimings extends StageTimings {
  /** From the moment the segmenter closed the utterance to the final text, ms. */
  processingMs: number;
  /** Time spent in the VAD for this utterance's frames, ms. */
  vadMs: number;
  /** Time the closed utterance waited for an earlier one to finish, ms. */
  queueMs: number;
  /** 1 when the final came from the pass started during the hangover, else 0. */
  speculative: number;
}

export interface FinalNotification {
  sessionId: number;
  utteranceId: number;
  text: string;
  /** Position of the utterance in the source audio, ms. */
  startMs: number;
  endMs: number;
  processingMs: number;
  /**
   * From the capture of the last voiced audio of the utterance to the final text, ms: what the user feels,
   * hangover included. Meaningful for live sources (a microphone, a file played at real-time pace).
   */
  endOfSpeechToTextMs: number;
  /**
   * When the last voiced audio was captured, wall clock (epoch ms, as Date.now()): the extension takes the latency
   * the user feels from it to the moment the text is in the editor (both processes read this machine's clock).
   */
  speechEndedAt: number;
  timings: UtteranceTimings;
  rejected?: string;
  /**
   * This final's text was already sent as the utterance's latest `provisional`, this long after the end of speech
   * (ms): what the user felt, for a client that inserted it. Absent when no provisional was sent or the text changed.
   */
  provisionalMs?: number;
}

/**
 * The open utterance's text as it will be final if the pause goes on: the speculative pass over everything said so
 * far, sent while the hangover still runs. A later `provisional` or the `final` of the same utterance replaces it
 * (when speech resumes, the final covers the whole utterance, this text included).
 */
export interface ProvisionalNotification {
  sessionId: number;
  utteranceId: number;
  text: string;
  /** From the capture of the last voiced audio to this notification, ms. */
  endOfSpeechToTextMs: number;
  /** When the last voiced audio was captured, wall clock (epoch ms). */
  speechEndedAt: number;
}

/** Interim text of the utterance being spoken. Never inserted: the final replaces it. */
export interface PartialNotification {
  sessionId: number;
  utteranceId: number;
  /** Agreed on by two consecutive passes; it only grows during an utterance. The final text replaces it. */
  text: string;
  /** The latest pass's guess at what follows `text`; may still change. */
  tentative: string;
  /** From the capture of the utterance's first voiced frame to this partial, ms. */
  sinceSpeechStartMs: number;
}

/** The live input for level meters: about ten times a second while speech is heard, four in silence. */
export interface LevelNotification {
  sessionId: number;
  /** Root-mean-square level of the latest frames, 0..1. */
  rms: number;
  /** Silero's speech probability for the latest frame (0 when the energy gate skipped it). */
  speechProbability: number;
  speaking: boolean;
}

export interface SessionEndNotification {
  sessionId: number;
  /** 'eof' when a file source ended, 'stopped' on request, 'error' after a capture failure. */
  reason: 'eof' | 'stopped' | 'error';
  utterances: number;
  overruns: number;
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface MetricsResult {
  stages: Record<string, Percentiles>;
  rssBytes: number;
  /** CPU used by the engine process since the previous `metrics` call, percent of one core. */
  cpuPercent: number;
  /** CPU used by the engine process over the last second, percent of one core. */
  recentCpuPercent: number;
  uptimeMs: number;
  ringOverruns: number;
  clippedSamples: number;
  utterances: number;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export interface LogNotification {
  level: LogLevel;
  message: string;
}

export interface ErrorNotification {
  code: EngineErrorCode;
  message: string;
  sessionId?: number;
}

/** `data` of a JSON-RPC error from the engine. */
export interface EngineErrorData {
  code: EngineErrorCode;
}

export namespace Requests {
  export const initialize = new RequestType<InitializeParams, InitializeResult, void>('initialize');
  export const transcribeFile = new RequestType<TranscribeFileParams, TranscribeFileResult, void>('transcribeFile');
  export const start = new RequestType<StartParams, StartResult, void>('start');
  export const stop = new RequestType0<SessionEndNotification | null, void>('stop');
  export const configure = new RequestType<EngineConfig, void, void>('configure');
  export const metrics = new RequestType0<MetricsResult, void>('metrics');
  export const listDevices = new RequestType<ListDevicesParams, ListDevicesResult, void>('listDevices');
  export const shutdown = new RequestType0<void, void>('shutdown');
  /** Answered at once, even during a transcription: the client's heartbeat (a hung engine is restarted). */
  export const ping = new RequestType0<null, void>('ping');
  /**
   * Downloads a model that is not installed with the extension (Whisper small) from the npm registry, pinned by sha512
   * and each file's sha256; progress comes as `downloadProgress`. Cancel it with JSON-RPC's $/cancelRequest.
   */
  export const downloadModel = new RequestType<DownloadModelParams, DownloadModelResult, void>('downloadModel');
}

export namespace Notifications {
  export const state = new NotificationType<StateNotification>('state');
  export const partial = new NotificationType<PartialNotification>('partial');
  export const final = new NotificationType<FinalNotification>('final');
  export const provisional = new NotificationType<ProvisionalNotification>('provisional');
  export const sessionEnd = new NotificationType<SessionEndNotification>('sessionEnd');
  export const level = new NotificationType<LevelNotification>('level');
  export const log = new NotificationType<LogNotification>('log');
  export const error = new NotificationType<ErrorNotification>('error');
  export const downloadProgress = new NotificationType<DownloadProgressNotification>('downloadProgress');
}
