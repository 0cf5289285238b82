/**
 * The vocabulary prompt (EngineConfig.vocabulary): identifiers spoken in short sentences, transcribed without and with
 * the identifiers as the prompt; and what the same prompt costs plain speech that has nothing to do with it (WER on
 * the manifest's clips and on a sample of the dev set) and silence and noise (words produced).
 * No recordings of identifiers exist: they are synthesized with espeak-ng (two voices) into the temporary folder,
 * never into the repository. Synthesized speech is cleaner than a person's: the figures compare the prompt with no
 * prompt, not what a user will see. Without espeak-ng and sox the section prints one line saying so.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ModelName } from '../src/protocol';
import { normalizeWords, wordErrorRate } from '../eval/wer';
import { Clip } from './clips';
import { devDir, readDevSet } from './devset';
import { EngineRunner } from './engineRunner';
import { synthesizeSpeech } from '../eval/synthesize';

/** Identifiers of this repository, each as a developer would say it in a short sentence. */
export const SPOKEN_IDENTIFIERS: readonly { term: string; sentence: string }[] = [
  { term: 'UtteranceSegmenter', sentence: 'create a new utterance segmenter' },
  { term: 'ringBuffer', sentence: 'call ring buffer write' },
  { term: 'onnxruntime', sentence: 'import onnx runtime here' },
  { term: 'hangoverMs', sentence: 'set hangover M S to six hundred' },
  { term: 'SileroVad', sentence: 'load the Silero VAD model' },
  { term: 'LogMel', sentence: 'compute the log mel first' },
  { term: 'WhisperDecoder', sentence: 'the whisper decoder runs greedy' },
  { term: 'insertAtCursor', sentence: 'then call insert at cursor' },
  { term: 'SpeculativeTranscriber', sentence: 'open the speculative transcriber' },
  { term: 'EngineClient', sentence: 'start the engine client' },
  { term: 'preRollMs', sentence: 'raise pre roll M S a little' },
  { term: 'vadThreshold', sentence: 'lower the VAD threshold' },
  { term: 'encoderWindow', sentence: 'pass the encoder window' },
  { term: 'CaptureHost', sentence: 'the capture host owns the worker' },
  { term: 'ListenSession', sentence: 'stop the listen session' },
  { term: 'DictationController', sentence: 'the dictation controller inserts it' },
  { term: 'GhostText', sentence: 'clear the ghost text now' },
  { term: 'pvrecorder', sentence: 'the PV recorder backend failed' },
  { term: 'naudiodon', sentence: 'build naudiodon for this version' },
  { term: 'mulberry32', sentence: 'seed mulberry thirty two' },
  { term: 'vocabularyPrompt', sentence: 'return the vocabulary prompt' },
  { term: 'loopStopRule', sentence: 'add a loop stop rule' },
  { term: 'trimLoop', sentence: 'call trim loop on the tokens' },
  { term: 'repeatedTailStart', sentence: 'find the repeated tail start' },
  { term: 'feltLatencyMs', sentence: 'log felt latency M S' },
  { term: 'checkSettings', sentence: 'call check settings again' },
  { term: 'SpokenEdits', sentence: 'the spoken edits run the command' },
  { term: 'kubectl', sentence: 'run kube control get pods' },
  { term: 'useState', sentence: 'wrap it in use state' },
  { term: 'tokenRows', sentence: 'read the token rows' },
];

/** The espeak-ng voices the sentences are spoken in (one American, one British). */
export const VOICES = ['en-us', 'en-gb'];
/** espeak-ng's speaking rate, words a minute (its default, 175, is fast for dictation). */
const WORDS_PER_MINUTE = 150;
/** Every DEV_SAMPLE_EVERY-th file of the dev set (about 100 of 407). */
const DEV_SAMPLE_EVERY = 4;

export interface IdentifierRun {
  term: string;
  voice: string;
  sentence: string;
  without: string;
  with: string;
}

export interface VocabularyResult {
  model: ModelName;
  runs: IdentifierRun[];
  /** Of the runs: the term written exactly as spelled (case included), and its words heard (spacing and case aside). */
  spelledWithout: number;
  spelledWith: number;
  heardWithout: number;
  heardWith: number;
  /** WER without / with the prompt on the manifest's clips and on the dev set sample. */
  clipsWer: { without: number; with: number; words: number };
  devWer: { without: number; with: number; words: number; files: number };
  /** Words produced for 30 s of silence and of white noise with the prompt on. */
  silenceWords: number;
  noiseWords: number;
}

export type VocabularySection = { models: VocabularyResult[] } | { skipped: string };

/** True when the text holds the term as spelled, as a word of its own. */
export function spelled(text: string, term: string): boolean {
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${term}($|[^\\p{L}\\p{N}_])`, 'u').test(text);
}

/** True when the term's letters and digits come in a row in the text, spacing, case and punctuation aside. */
export function heard(text: string, term: string): boolean {
  const squash = (s: string) => normalizeWords(s).join('');
  return squash(text).includes(squash(term));
}

/** Speaks each sentence in each voice into `dir` as 16 kHz WAVs; throws when espeak-ng or sox is missing. */
export function synthesizeIdentifiers(dir: string): { term: string; voice: string; sentence: string; path: string }[] {
  const out = [];
  for (const voice of VOICES) {
    for (const [i, s] of SPOKEN_IDENTIFIERS.entries()) {
      out.push({ ...s, voice, path: synthesizeSpeech(dir, `id-${voice}-${i}`, s.sentence, voice, WORDS_PER_MINUTE) });
    }
  }
  return out;
}

export async function measureVocabulary(
  enginePath: string,
  models: readonly ModelName[],
  speech: readonly Clip[],
  synthetic: { silence: Clip; noise: Clip },
  tmp: string,
  root: string,
  progress: (s: string) => void = () => undefined,
): Promise<VocabularySection> {
  let spoken;
  try {
    spoken = synthesizeIdentifiers(fs.mkdtempSync(path.join(tmp, 'identifiers-')));
  } catch (err) {
    return { skipped: `espeak-ng and sox are needed to synthesize the identifiers (${(err as Error).message.split('\n')[0]})` };
  }
  const vocabulary = SPOKEN_IDENTIFIERS.map((s) => s.term);
  const prose = speech.filter((c) => c.reference);
  const dev = readDevSet(devDir(root)).filter((_, i) => i % DEV_SAMPLE_EVERY === 0);
  const results: VocabularyResult[] = [];
  for (const model of models) {
    progress(
      `[vocabulary] ${model}: ${spoken.length} identifier sentences, ${prose.length} clips, ${dev.length} dev files, without and with the prompt...\n`,
    );
    const engine = await EngineRunner.start(enginePath, { model });
    try {
      const pass = async (files: readonly { path: string }[]) => {
        const texts: string[] = [];
        for (const f of files) texts.push((await engine.transcribe(f.path)).text);
        return texts;
      };
      await engine.client.configure({ vocabulary: [] });
      const without = { ids: await pass(spoken), clips: await pass(prose), dev: await pass(dev) };
      await engine.client.configure({ vocabulary });
      const withPrompt = { ids: await pass(spoken), clips: await pass(prose), dev: await pass(dev) };
      const [silence, noise] = await pass([synthetic.silence, synthetic.noise]);
      const runs = spoken.map((s, i) => ({
        term: s.term,
        voice: s.voice,
        sentence: s.sentence,
        without: without.ids[i],
        with: withPrompt.ids[i],
      }));
      const count = (f: (text: string, term: string) => boolean, key: 'without' | 'with') => runs.filter((r) => f(r[key], r.term)).length;
      const wer = (refs: readonly (string | undefined)[], texts: readonly string[]) =>
        wordErrorRate(refs.map((reference, i) => ({ reference: reference ?? '', hypothesis: texts[i] })));
      const clipsWithout = wer(
        prose.map((c) => c.reference),
        without.clips,
      );
      const devWithout = wer(
        dev.map((d) => d.reference),
        without.dev,
      );
      results.push({
        model,
        runs,
        spelledWithout: count(spelled, 'without'),
        spelledWith: count(spelled, 'with'),
        heardWithout: count(heard, 'without'),
        heardWith: count(heard, 'with'),
        clipsWer: {
          without: clipsWithout.wer,
          with: wer(
            prose.map((c) => c.reference),
            withPrompt.clips,
          ).wer,
          words: clipsWithout.referenceWords,
        },
        devWer: {
          without: devWithout.wer,
          with: wer(
            dev.map((d) => d.reference),
            withPrompt.dev,
          ).wer,
          words: devWithout.referenceWords,
          files: dev.length,
        },
        silenceWords: normalizeWords(silence).length,
        noiseWords: normalizeWords(noise).length,
      });
    } finally {
      await engine.shutdown();
    }
  }
  return { models: results };
}

export function formatVocabulary(v: VocabularySection, table: (header: string[], rows: string[][], right?: boolean[]) => string): string {
  const lines = ['## Vocabulary prompt (identifiers synthesized with espeak-ng)', ''];
  if ('skipped' in v) return [...lines, `Vocabulary section skipped: ${v.skipped}`, ''].join('\n');
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const of = (n: number, r: VocabularyResult) => `${n}/${r.runs.length}`;
  lines.push(
    `${SPOKEN_IDENTIFIERS.length} identifiers of this repository, each in a short sentence ("call ring buffer write"), spoken by espeak-ng voices ` +
      `${VOICES.join(' and ')}; the prompt holds the ${SPOKEN_IDENTIFIERS.length} identifiers. "Spelled": the text holds the identifier exactly ` +
      '(`ringBuffer`); "heard": its letters in a row, spacing and case aside ("ring buffer"). WER and silence/noise with the same prompt on, ' +
      'which has nothing to do with that speech. With a prompt the engine also decodes without it and keeps only the prompted spellings of ' +
      'terms (the vocabulary gate, src/engine/whisper/vocabularyPrompt.ts), so the prompt WER should equal the no-prompt WER. ' +
      "Synthesized speech: a comparison of prompt and no prompt, not a user's figure.",
    '',
    table(
      [
        'model',
        'spelled, no prompt',
        'spelled, prompt',
        'heard, no prompt',
        'heard, prompt',
        'clips WER no prompt / prompt',
        'dev sample WER no prompt / prompt',
        'silence / noise words, prompt',
      ],
      v.models.map((r) => [
        r.model,
        of(r.spelledWithout, r),
        of(r.spelledWith, r),
        of(r.heardWithout, r),
        of(r.heardWith, r),
        `${pct(r.clipsWer.without)} / ${pct(r.clipsWer.with)} (${r.clipsWer.words} words)`,
        `${pct(r.devWer.without)} / ${pct(r.devWer.with)} (${r.devWer.files} files, ${r.devWer.words} words)`,
        `${r.silenceWords} / ${r.noiseWords}`,
      ]),
      [false, true, true, true, true, true, true, true],
    ),
    '',
  );
  for (const r of v.models) {
    const changed = r.runs.filter((x) => spelled(x.without, x.term) !== spelled(x.with, x.term) || !spelled(x.with, x.term));
    lines.push(`${r.model}: sentences not spelled with the prompt, or changed by it (${changed.length}):`, '');
    lines.push(
      table(
        ['identifier', 'voice', 'no prompt', 'prompt'],
        changed.map((x) => [x.term, x.voice, x.without, x.with]),
      ),
      '',
    );
  }
  return lines.join('\n');
}
