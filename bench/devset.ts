/**
 * The dev set: every recording of ../shared/audio/dev (refs.tsv, meta.tsv), transcribed by the engine (file mode,
 * one engine per model, through EngineRunner) and by the transformers.js peer, scored word by word. What it counts
 * is what issue 11 ("Every word heard") asks of the engine: WER with substitutions, deletions and insertions apart,
 * utterances lost whole (a reference, no text), half lost (at least half the reference's words deleted), phrases
 * repeated (a word n-gram, n >= 2, twice in a row in the text but not in the reference), and the files the engine
 * lost whole where the peer got words right.
 * The peer is slow and deterministic: its texts are cached in .bench/devset-peer.json by model and file hash.
 * Env (devsetEnv): DEVSET_MODELS, DEVSET_CONFIG (JSON over EngineConfig, to A/B a lever), DEVSET_FILTER (a regular
 * expression on file name or category), DEVSET_PEER (0: cached peer texts only), DEVSET_ENGINE (engine bundle).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EngineConfig, INSTALLED_MODELS, MODEL_NAMES, ModelName } from '../src/protocol';
import { audioDir, loadAudio16k } from './clips';
import { EngineRunner } from './engineRunner';
import { PeerAsr } from './peer';
import { alignWords, normalizeWords, WordAlignment } from '../eval/wer';

export const DEV_SUBDIR = 'dev';
/** At least this share of a reference's words deleted is an utterance half lost. */
export const HALF_LOST = 0.5;
const PEER_CACHE = 'devset-peer.json';

export interface DevEntry {
  name: string;
  path: string;
  reference: string;
  category: string;
  seconds: number;
}

/** Word alignment counts of one hypothesis against its reference (bench/wer.ts). */
export type Alignment = WordAlignment;

export interface DevText {
  text: string;
  /** Guard rejections of the engine's segments, if any. */
  rejected?: string[];
}

export interface DevFileResult {
  file: string;
  category: string;
  reference: string;
  engine: DevText & { align: Alignment; repeated: string[] };
  peer?: DevText & { align: Alignment; repeated: string[] };
}

export interface DevSummary extends Alignment {
  wer: number;
  utterances: number;
  /** Files with a reference and no text. */
  lostWhole: string[];
  /** Files with at least HALF_LOST of the reference's words deleted (the lost whole included). */
  halfLost: string[];
  /** Files whose text repeats a phrase the reference says once: "login incorrect login incorrect". */
  repeated: string[];
}

export interface DevSetResult {
  model: ModelName;
  /** The EngineConfig the engine ran with (the model aside). */
  config: EngineConfig;
  dir: string;
  engine: DevSummary;
  peer?: DevSummary;
  /** Per category: engine WER (and the peer's). */
  categories: { category: string; files: number; referenceWords: number; engineWer: number; peerWer?: number }[];
  /** Lost whole by the engine while the peer got at least one of the reference's words. */
  lostWherePeerHeard: { file: string; reference: string; peer: string; rejected?: string[] }[];
  files: DevFileResult[];
}

/** The dev set's folder: `dev` inside the shared audio folder (VOICEFLOW_TEST_AUDIO or ../shared/audio). */
export function devDir(repoRoot: string): string {
  return path.join(audioDir(repoRoot), DEV_SUBDIR);
}

function readTsv(file: string): { header: string[]; rows: string[][] } {
  const [head, ...rows] = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim());
  return { header: head.split('\t'), rows: rows.map((r) => r.split('\t')) };
}

/** refs.tsv (file, reference; no header) and meta.tsv (header: file, duration_s, category, ...). */
export function readDevSet(dir: string): DevEntry[] {
  const refs = path.join(dir, 'refs.tsv');
  if (!fs.existsSync(refs))
    throw new Error(`No refs.tsv in ${dir}: the dev set needs its references (set VOICEFLOW_TEST_AUDIO to the shared audio folder).`);
  const meta = new Map<string, { category: string; seconds: number }>();
  const metaFile = path.join(dir, 'meta.tsv');
  if (fs.existsSync(metaFile)) {
    const { header, rows } = readTsv(metaFile);
    const [f, c, d] = ['file', 'category', 'duration_s'].map((n) => header.indexOf(n));
    for (const r of rows) meta.set(r[f], { category: c >= 0 ? r[c] : '?', seconds: d >= 0 ? Number(r[d]) : NaN });
  }
  return fs
    .readFileSync(refs, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((line) => {
      const [name, reference = ''] = line.split('\t');
      const m = meta.get(name);
      return { name, path: path.join(dir, name), reference: reference.trim(), category: m?.category ?? '?', seconds: m?.seconds ?? NaN };
    });
}

/**
 * Phrases (word n-grams, n >= 2) said twice in a row in the hypothesis where the reference does not say them twice
 * in a row: "login incorrect login incorrect" for "login incorrect". One entry per repeated phrase, longest first.
 */
export function repeatedPhrases(reference: readonly string[], hypothesis: readonly string[]): string[] {
  const doubled = (words: readonly string[], at: number, n: number) => {
    for (let k = 0; k < n; k++) if (words[at + k] !== words[at + n + k]) return false;
    return true;
  };
  const inReference = new Set<string>();
  for (let n = 2; 2 * n <= reference.length; n++) {
    for (let i = 0; i + 2 * n <= reference.length; i++) if (doubled(reference, i, n)) inReference.add(reference.slice(i, i + n).join(' '));
  }
  const found: string[] = [];
  for (let n = Math.floor(hypothesis.length / 2); n >= 2; n--) {
    for (let i = 0; i + 2 * n <= hypothesis.length; i++) {
      if (!doubled(hypothesis, i, n)) continue;
      const phrase = hypothesis.slice(i, i + n).join(' ');
      // A shorter phrase inside a longer repeat already found is the same repeat.
      if (!inReference.has(phrase) && !found.some((f) => ` ${f} `.includes(` ${phrase} `))) found.push(phrase);
    }
  }
  return found;
}

function scored(reference: string, t: DevText): DevText & { align: Alignment; repeated: string[] } {
  const ref = normalizeWords(reference);
  const hyp = normalizeWords(t.text);
  return { ...t, align: alignWords(ref, hyp), repeated: repeatedPhrases(ref, hyp) };
}

export function summarizeDev(files: readonly { file: string; t: { align: Alignment; repeated: string[]; text: string } }[]): DevSummary {
  const s: DevSummary = {
    referenceWords: 0,
    hits: 0,
    substitutions: 0,
    deletions: 0,
    insertions: 0,
    wer: 0,
    utterances: files.length,
    lostWhole: [],
    halfLost: [],
    repeated: [],
  };
  for (const { file, t } of files) {
    const a = t.align;
    s.referenceWords += a.referenceWords;
    s.hits += a.hits;
    s.substitutions += a.substitutions;
    s.deletions += a.deletions;
    s.insertions += a.insertions;
    if (a.referenceWords > 0 && a.hits + a.substitutions + a.insertions === 0) s.lostWhole.push(file);
    if (a.referenceWords > 0 && a.deletions >= HALF_LOST * a.referenceWords) s.halfLost.push(file);
    if (t.repeated.length) s.repeated.push(file);
  }
  s.wer = s.referenceWords ? (s.substitutions + s.deletions + s.insertions) / s.referenceWords : 0;
  return s;
}

/** Scores engine (and peer) texts of the dev set. */
export function scoreDevSet(
  model: ModelName,
  config: EngineConfig,
  dir: string,
  entries: readonly DevEntry[],
  engine: ReadonlyMap<string, DevText>,
  peer?: ReadonlyMap<string, DevText>,
): DevSetResult {
  const files: DevFileResult[] = entries.map((e) => {
    const p = peer?.get(e.name);
    return {
      file: e.name,
      category: e.category,
      reference: e.reference,
      engine: scored(e.reference, engine.get(e.name) ?? { text: '' }),
      ...(p ? { peer: scored(e.reference, p) } : {}),
    };
  });
  const engineSummary = summarizeDev(files.map((f) => ({ file: f.file, t: f.engine })));
  const withPeer = files.filter((f) => f.peer);
  const peerSummary = withPeer.length === files.length ? summarizeDev(files.map((f) => ({ file: f.file, t: f.peer! }))) : undefined;
  const categories = [...new Set(files.map((f) => f.category))].sort().map((category) => {
    const of = files.filter((f) => f.category === category);
    const e = summarizeDev(of.map((f) => ({ file: f.file, t: f.engine })));
    const p = peerSummary ? summarizeDev(of.map((f) => ({ file: f.file, t: f.peer! }))) : undefined;
    return { category, files: of.length, referenceWords: e.referenceWords, engineWer: e.wer, ...(p ? { peerWer: p.wer } : {}) };
  });
  const lost = new Set(engineSummary.lostWhole);
  const lostWherePeerHeard = files
    .filter((f) => lost.has(f.file) && f.peer && f.peer.align.hits > 0)
    .map((f) => ({
      file: f.file,
      reference: f.reference,
      peer: f.peer!.text,
      ...(f.engine.rejected ? { rejected: f.engine.rejected } : {}),
    }));
  return {
    model,
    config,
    dir,
    engine: engineSummary,
    ...(peerSummary ? { peer: peerSummary } : {}),
    categories,
    lostWherePeerHeard,
    files,
  };
}

export interface DevSetOptions {
  models: ModelName[];
  /** Merged over { model } for each engine (levers merged field by field). */
  config: EngineConfig;
  /** Only the files whose name or category matches. */
  filter?: RegExp;
  /** False: the peer's cached texts only (the peer section is left out where one is missing). */
  runPeer: boolean;
  enginePath: string;
}

/** DEVSET_MODELS (default tiny,base), DEVSET_CONFIG (JSON), DEVSET_FILTER, DEVSET_PEER (default 1), DEVSET_ENGINE. */
export function devsetEnv(root: string, env: NodeJS.ProcessEnv = process.env): DevSetOptions {
  const models = (env.DEVSET_MODELS ?? INSTALLED_MODELS.join(','))
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  for (const m of models) {
    if (!(MODEL_NAMES as readonly string[]).includes(m))
      throw new Error(`DEVSET_MODELS: unknown model "${m}" (choose from ${MODEL_NAMES.join(', ')}).`);
  }
  let config: EngineConfig = {};
  if (env.DEVSET_CONFIG) {
    try {
      config = JSON.parse(env.DEVSET_CONFIG) as EngineConfig;
    } catch (err) {
      throw new Error(
        `DEVSET_CONFIG must be a JSON object of EngineConfig fields, e.g. '{"encoderWindow":"full"}' or '{"levers":{"timestamps":false}}': ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config))
      throw new Error('DEVSET_CONFIG must be a JSON object of EngineConfig fields.');
  }
  return {
    models: models as ModelName[],
    config,
    filter: env.DEVSET_FILTER ? new RegExp(env.DEVSET_FILTER) : undefined,
    runPeer: env.DEVSET_PEER !== '0',
    enginePath: env.DEVSET_ENGINE ? path.resolve(env.DEVSET_ENGINE) : path.join(root, 'dist', 'engine.js'),
  };
}

const progress = (s: string) => process.stderr.write(s);

/** The engine's text and guard rejections for every entry: one engine, file mode. */
export async function engineTexts(
  enginePath: string,
  config: EngineConfig,
  entries: readonly DevEntry[],
  label: string,
): Promise<Map<string, DevText>> {
  const engine = await EngineRunner.start(enginePath, config);
  const out = new Map<string, DevText>();
  try {
    for (const [i, e] of entries.entries()) {
      if (i % 50 === 0) progress(`[dev ${label}] engine ${i}/${entries.length}\n`);
      let r;
      try {
        r = await engine.client.transcribeFile({ path: e.path });
      } catch (err) {
        throw new Error(`The engine failed on ${e.path}: ${(err as Error).message}\n${engine.stderrTail}`, { cause: err });
      }
      const rejected = r.segments.filter((s) => s.rejected).map((s) => s.rejected!);
      out.set(e.name, { text: r.text.trim(), ...(rejected.length ? { rejected } : {}) });
    }
  } finally {
    await engine.shutdown();
  }
  return out;
}

/** The peer's texts, from .bench/devset-peer.json where cached (key: model and the file's sha1), else run and cached. */
export async function peerTexts(model: ModelName, entries: readonly DevEntry[], root: string, run: boolean): Promise<Map<string, DevText>> {
  const cacheFile = path.join(root, '.bench', PEER_CACHE);
  let cache: Record<string, string> = {};
  if (fs.existsSync(cacheFile)) {
    try {
      cache = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Record<string, string>;
    } catch {
      cache = {};
    }
  }
  const save = () => {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(cacheFile + '.tmp', JSON.stringify(cache, null, 1) + '\n');
    fs.renameSync(cacheFile + '.tmp', cacheFile);
  };
  const out = new Map<string, DevText>();
  let peer: PeerAsr | undefined;
  let fresh = 0;
  try {
    for (const [i, e] of entries.entries()) {
      const key = `${model}:${createHash('sha1').update(fs.readFileSync(e.path)).digest('hex')}`;
      if (!(key in cache)) {
        if (!run) continue;
        if (!peer) {
          progress(`[dev ${model}] loading the peer (its texts are cached in .bench/${PEER_CACHE})...\n`);
          peer = await PeerAsr.load(model, root);
        }
        if (fresh % 50 === 0) progress(`[dev ${model}] peer ${i}/${entries.length}\n`);
        cache[key] = await peer.transcribe(loadAudio16k(e.path));
        if (++fresh % 25 === 0) save();
      }
      out.set(e.name, { text: cache[key] });
    }
  } finally {
    if (fresh > 0) save();
    await peer?.dispose();
  }
  return out;
}

/** Runs the dev set for one model: the engine with `config`, the peer from its cache (or run). */
export async function measureDevSet(root: string, model: ModelName, opts: Omit<DevSetOptions, 'models'>): Promise<DevSetResult> {
  const dir = devDir(root);
  const entries = readDevSet(dir).filter((e) => !opts.filter || opts.filter.test(e.name) || opts.filter.test(e.category));
  const config: EngineConfig = { ...opts.config, model, ...(opts.config.levers ? { levers: { ...opts.config.levers } } : {}) };
  const engine = await engineTexts(opts.enginePath, config, entries, model);
  const peer = await peerTexts(model, entries, root, opts.runPeer);
  const { model: _, ...rest } = config;
  return scoreDevSet(model, rest, dir, entries, engine, peer.size === entries.length ? peer : undefined);
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function summaryRow(who: string, s: DevSummary): string[] {
  const r = (n: number) => pct(s.referenceWords ? n / s.referenceWords : 0);
  return [
    who,
    `${pct(s.wer)} (${s.substitutions + s.deletions + s.insertions}/${s.referenceWords})`,
    `${s.substitutions} (${r(s.substitutions)})`,
    `${s.deletions} (${r(s.deletions)})`,
    `${s.insertions} (${r(s.insertions)})`,
    `${s.lostWhole.length}`,
    `${s.halfLost.length}`,
    `${s.repeated.length}`,
  ];
}

/** The dev-set section as markdown lines (tables built by `table`, bench/report.ts's). */
export function formatDevSet(d: DevSetResult, table: (header: string[], rows: string[][], right?: boolean[]) => string): string[] {
  const config = Object.keys(d.config).length ? ` with ${JSON.stringify(d.config)}` : ' as shipped';
  const rows = [summaryRow(`engine${config}`, d.engine), ...(d.peer ? [summaryRow('peer (transformers.js)', d.peer)] : [])];
  const lines = [
    `### whisper-${d.model} dev set: ${d.engine.utterances} recordings of ${d.dir} (file mode), engine${config} vs the peer`,
    '',
    table(
      [
        '',
        'WER',
        'substitutions',
        'deletions',
        'insertions',
        'lost whole',
        `half lost (>= ${HALF_LOST * 100}% deleted)`,
        'phrase repeated',
      ],
      rows,
      [false, true, true, true, true, true, true, true],
    ),
    '',
    table(
      ['category', 'files', 'words', 'engine WER', 'peer WER'],
      d.categories.map((c) => [
        c.category,
        `${c.files}`,
        `${c.referenceWords}`,
        pct(c.engineWer),
        c.peerWer === undefined ? '-' : pct(c.peerWer),
      ]),
      [false, true, true, true, true],
    ),
    '',
  ];
  const byFile = new Map(d.files.map((f) => [f.file, f]));
  const quote = (t: string) => (t ? `"${t}"` : '(empty)');
  if (d.engine.lostWhole.length) {
    const peerHeard = new Set(d.lostWherePeerHeard.map((l) => l.file));
    lines.push(
      `Lost whole by the engine (${d.engine.lostWhole.length}; ${d.lostWherePeerHeard.length} where the peer got words right, marked *):`,
      '',
      table(
        ['file', 'reference', 'peer', 'engine guard'],
        d.engine.lostWhole.map((f) => {
          const r = byFile.get(f)!;
          return [
            `${f}${peerHeard.has(f) ? ' *' : ''}`,
            r.reference,
            quote(r.peer?.text ?? ''),
            r.engine.rejected?.join('; ') ?? '(no speech found)',
          ];
        }),
      ),
      '',
    );
  }
  if (d.engine.repeated.length) {
    lines.push(
      `Phrases repeated by the engine (${d.engine.repeated.length}):`,
      '',
      table(
        ['file', 'reference', 'engine', 'repeated'],
        d.engine.repeated.map((f) => {
          const r = byFile.get(f)!;
          return [f, r.reference, quote(r.engine.text), r.engine.repeated.join('; ')];
        }),
      ),
      '',
    );
  }
  return lines;
}

/** The dev set's per-file results, for diffing two runs: .bench/devset-<model>[-<label>].json. */
export function writeDevSet(root: string, d: DevSetResult, label?: string): string {
  const out = path.join(root, '.bench', `devset-${d.model}${label ? `-${label.replace(/[^\w.-]+/g, '_')}` : ''}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(d, (_, v) => (typeof v === 'number' ? Math.round(v * 10000) / 10000 : v), 1) + '\n');
  return out;
}
