/**
 * Prompt formats for the vocabulary, compared in-process (Whisper + Silero + transcribeFile, as the engine runs a
 * file): the identifier sentences of bench/vocabulary.ts, the manifest's clips, the dev sample, silence and noise,
 * without a prompt and with each format. Texts are cached per model and format in .bench/vocabulary-formats/, so
 * formats can be added run by run; the report is computed from the cache. An experiment for docs/decisions.md
 * ("Vocabulary prompt formats"), not a bench section.
 * Build: npx esbuild bench/vocabularyFormats.ts --bundle --platform=node --target=node20
 *   --external:onnxruntime-node --external:@huggingface/transformers --outfile=out/bench-bundle/vocabularyFormats.js
 * Env: FORMATS (comma list, default all), BENCH_MODELS (default tiny,base), REPORT_ONLY=1 (the cache only), CACHE_TAG
 * (a suffix of the cache's name: runs of another engine build), GATE_CHANGE (comma list of the text gate's letter
 * share, bench/vocabularyGate.ts, applied to the cached prompted texts; prefix w: the whole prompted text or none).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ModelName } from '../src/protocol';
import { DEFAULT_CONFIG } from '../src/engine/engine';
import { transcribeFile } from '../src/engine/fileTranscriber';
import { SileroVad } from '../src/engine/live/vad';
import { defaultCacheDir } from '../src/engine/models/preparedCache';
import { WhisperDecoder } from '../src/engine/whisper/decoder';
import { encoderWindow, Whisper } from '../src/engine/whisper/whisper';
import { vocabularyPrompt } from '../src/engine/whisper/vocabularyPrompt';
import { normalizeWords, wordErrorRate } from '../eval/wer';
import { audioDir, makeTempDir, readManifest, writeSyntheticClips } from './clips';
import { devDir, readDevSet } from './devset';
import { heard, spelled, SPOKEN_IDENTIFIERS, synthesizeIdentifiers } from './vocabulary';
import { gateText } from './vocabularyGate';

type Encode = (text: string) => number[];

interface Format {
  /** Terms in the prompt: all 30, or N around the sentence's own term (ids) / the first N (prose). */
  n?: number;
  build(terms: readonly string[], encode: Encode): number[];
}

const andList = (terms: readonly string[]) =>
  terms.length === 1 ? terms[0] : `${terms.slice(0, -1).join(', ')} and ${terms[terms.length - 1]}`;
const splitCamel = (t: string) =>
  t
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();

const text = (f: (terms: readonly string[]) => string) => (terms: readonly string[], encode: Encode) => encode(f(terms));

export const FORMATS: Record<string, Format> = {
  list: { build: (terms, encode) => vocabularyPrompt(terms, { encode }) },
  prose: { build: text((t) => ` In this code we use ${andList(t)}.`) },
  glossary: { build: text((t) => ` Names used in this file: ${t.join(', ')}. The rest is plain English.`) },
  split: { build: text((t) => ` ${t.map(splitCamel).join(', ')}.`) },
  list5: { n: 5, build: (terms, encode) => vocabularyPrompt(terms, { encode }) },
  list10: { n: 10, build: (terms, encode) => vocabularyPrompt(terms, { encode }) },
  list15: { n: 15, build: (terms, encode) => vocabularyPrompt(terms, { encode }) },
  prose5: { n: 5, build: text((t) => ` In this code we use ${andList(t)}.`) },
  prose10: { n: 10, build: text((t) => ` In this code we use ${andList(t)}.`) },
  prose15: { n: 15, build: text((t) => ` In this code we use ${andList(t)}.`) },
};

const ALL_TERMS = SPOKEN_IDENTIFIERS.map((s) => s.term);
/** N terms around term i (it in the middle): what "the N identifiers nearest the cursor" holds when i is spoken. */
export function termsAround(i: number, n: number): string[] {
  const start = i - Math.floor(n / 2);
  return Array.from({ length: n }, (_, k) => ALL_TERMS[(start + k + ALL_TERMS.length) % ALL_TERMS.length]);
}

interface Texts {
  ids: string[];
  clips: string[];
  dev: string[];
  silence: string;
  noise: string;
  /** Decoder and encoder time summed over the dev sample, ms, and the decodes run for it. */
  decoderMs: number;
  encoderMs: number;
  devDecodes?: number;
}

const DEV_SAMPLE_EVERY = 4;

/** Full decodes run (WhisperDecoder.decode calls), counted to show what the vocabulary gate's second decode costs. */
let decodes = 0;
const decode = WhisperDecoder.prototype.decode;
WhisperDecoder.prototype.decode = function (this: WhisperDecoder, ...args: Parameters<typeof decode>) {
  decodes++;
  return decode.apply(this, args);
};

async function collect(root: string, models: ModelName[], formats: string[]): Promise<void> {
  const tmp = makeTempDir();
  const cacheDir = path.join(root, '.bench', 'vocabulary-formats');
  fs.mkdirSync(cacheDir, { recursive: true });
  try {
    const spoken = synthesizeIdentifiers(fs.mkdtempSync(path.join(tmp, 'identifiers-')));
    const prose = readManifest(audioDir(root)).filter((c) => c.reference);
    const dev = readDevSet(devDir(root)).filter((_, i) => i % DEV_SAMPLE_EVERY === 0);
    const synthetic = writeSyntheticClips(tmp);
    const c = DEFAULT_CONFIG;
    const seg = { threshold: c.vadThreshold, hangoverMs: c.hangoverMs, preRollMs: c.preRollMs, maxUtteranceMs: c.maxUtteranceMs };
    const vad = await SileroVad.load(undefined, defaultCacheDir(), c.levers);
    for (const model of models) {
      const file = path.join(cacheDir, `${model}${process.env.CACHE_TAG ?? ''}.json`);
      const cache: Record<string, Texts> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
      const todo = ['none', ...formats].filter((f) => !cache[f]);
      if (todo.length === 0) continue;
      const whisper = await Whisper.load(model, undefined, encoderWindow(model, c.encoderWindow, c.levers), c.levers, {
        cacheDir: defaultCacheDir(),
      });
      const encode: Encode = (s) => whisper.tokenizer.encode(s);
      try {
        for (const name of todo) {
          const t0 = performance.now();
          const f = FORMATS[name];
          const promptFor = (terms: readonly string[]) => (name === 'none' ? undefined : f.build(terms, encode));
          const run = async (p: string, prompt: readonly number[] | undefined) =>
            transcribeFile(p, whisper, vad.clone(), 'en', seg, { vocabulary: prompt });
          const fixed = promptFor(f?.n ? ALL_TERMS.slice(0, f.n) : ALL_TERMS);
          const ids: string[] = [];
          for (const [k, s] of spoken.entries()) {
            const i = k % SPOKEN_IDENTIFIERS.length;
            ids.push((await run(s.path, promptFor(f?.n ? termsAround(i, f.n) : ALL_TERMS))).text.trim());
          }
          const clips: string[] = [];
          for (const p of prose) clips.push((await run(p.path, fixed)).text.trim());
          const devTexts: string[] = [];
          let decoderMs = 0;
          let encoderMs = 0;
          const decodesBefore = decodes;
          for (const d of dev) {
            const r = await run(d.path, fixed);
            devTexts.push(r.text.trim());
            for (const s of r.segments) {
              decoderMs += s.timings.decoderMs ?? 0;
              encoderMs += s.timings.encoderMs ?? 0;
            }
          }
          const silence = (await run(synthetic.silence.path, fixed)).text.trim();
          const noise = (await run(synthetic.noise.path, fixed)).text.trim();
          const devDecodes = decodes - decodesBefore;
          cache[name] = { ids, clips, dev: devTexts, silence, noise, decoderMs, encoderMs, devDecodes };
          fs.writeFileSync(file, JSON.stringify(cache, null, 1) + '\n');
          process.stderr.write(
            `[formats] ${model} ${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s` +
              (fixed ? `, prompt ${fixed.length} tokens: "${whisper.tokenizer.decode(fixed)}"` : '') +
              '\n',
          );
        }
      } finally {
        await whisper.release();
      }
    }
    await vad.release();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function report(root: string, models: ModelName[], formats: string[]): void {
  const prose = readManifest(audioDir(root)).filter((c) => c.reference);
  const dev = readDevSet(devDir(root)).filter((_, i) => i % DEV_SAMPLE_EVERY === 0);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const rows: string[] = [];
  rows.push('| model | format | spelled | heard | clips WER | dev WER | silence/noise words | dev decoder ms | dev decodes |');
  rows.push('|---|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const model of models) {
    const file = path.join(root, '.bench', 'vocabulary-formats', `${model}${process.env.CACHE_TAG ?? ''}.json`);
    if (!fs.existsSync(file)) continue;
    const cache: Record<string, Texts> = JSON.parse(fs.readFileSync(file, 'utf8'));
    const base = cache.none;
    const terms = (i: number, name: string) => {
      const n = FORMATS[name]?.n;
      return n ? termsAround(i % SPOKEN_IDENTIFIERS.length, n) : ALL_TERMS;
    };
    const fixedTerms = (name: string) => (FORMATS[name]?.n ? ALL_TERMS.slice(0, FORMATS[name].n) : ALL_TERMS);
    const line = (label: string, t: Omit<Texts, 'decoderMs' | 'encoderMs'> & { decoderMs?: number }) => {
      const ids = t.ids.map((x, k) => ({ x, term: SPOKEN_IDENTIFIERS[k % SPOKEN_IDENTIFIERS.length].term }));
      const sp = ids.filter((r) => spelled(r.x, r.term)).length;
      const he = ids.filter((r) => heard(r.x, r.term)).length;
      const cw = wordErrorRate(prose.map((p, i) => ({ reference: p.reference ?? '', hypothesis: t.clips[i] })));
      const dw = wordErrorRate(dev.map((d, i) => ({ reference: d.reference, hypothesis: t.dev[i] })));
      rows.push(
        `| ${model} | ${label} | ${sp}/${ids.length} | ${he}/${ids.length} | ${pct(cw.wer)} (${Math.round(cw.wer * cw.referenceWords)}) | ${pct(dw.wer)} | ` +
          `${normalizeWords(t.silence).length} / ${normalizeWords(t.noise).length} | ${t.decoderMs === undefined ? '' : Math.round(t.decoderMs)} | ${t.devDecodes ?? ''} |`,
      );
    };
    if (!base) continue;
    line('none', base);
    for (const name of formats) {
      const t = cache[name];
      if (!t) continue;
      line(name, t);
      for (const g of (process.env.GATE_CHANGE ?? '0.5').split(',')) {
        const th = Number(g.replace('w', ''));
        const whole = g.startsWith('w');
        const gate = (without: string, withPrompt: string, ts: readonly string[]) => gateText(without, withPrompt, ts, th, whole);
        line(`${name} + gate ${g}`, {
          ids: t.ids.map((x, k) => gate(base.ids[k], x, terms(k, name))),
          clips: t.clips.map((x, k) => gate(base.clips[k], x, fixedTerms(name))),
          dev: t.dev.map((x, k) => gate(base.dev[k], x, fixedTerms(name))),
          silence: gate(base.silence, t.silence, fixedTerms(name)),
          noise: gate(base.noise, t.noise, fixedTerms(name)),
          decoderMs: base.decoderMs + t.decoderMs,
        });
      }
    }
  }
  process.stdout.write(rows.join('\n') + '\n');
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const models = (process.env.BENCH_MODELS ?? 'tiny,base').split(',').map((m) => m.trim()) as ModelName[];
  const formats = (process.env.FORMATS ?? Object.keys(FORMATS).join(',')).split(',').map((f) => f.trim());
  for (const f of formats) if (!FORMATS[f]) throw new Error(`unknown format ${f}`);
  if (!process.env.REPORT_ONLY) await collect(root, models, formats);
  report(root, models, formats);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`vocabularyFormats: ${err.stack}\n`);
    process.exit(1);
  },
);
