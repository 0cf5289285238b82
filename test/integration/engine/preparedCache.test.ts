/**
 * The prepared-model cache: reused while intact, rebuilt when damaged (model file or data file), optional when it
 * cannot be written; its large initializers live in a data file and give the same outputs.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { cacheEntryPath, dataFileOf, ModelEditor, prepareModel } from '../../../src/engine/models/preparedCache';
import { SILERO_V5, sileroFile } from '../../../src/engine/models/pins';
import { loadEdited, loadSession } from '../../../src/engine/models/sessions';

/** The edit under test is the identity on Silero (2 MB): what is tested is the cache, not an edit. */
const EDIT = 'identity';
const OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, graphOptimizationLevel: 'all' };

describe('prepared-model cache', function () {
  this.timeout(60000);
  let tmp: string;
  let applied: number;
  let warnings: string[];
  const apply = (bytes: Uint8Array) => {
    applied++;
    return bytes;
  };
  const editor =
    (cacheDir: string | undefined): ModelEditor =>
    (file, edit, variant, fn, rebuild) =>
      prepareModel({
        source: file,
        sourceSha256: SILERO_V5.sha256,
        sourceVerified: Promise.resolve(),
        edit,
        variant,
        apply: fn,
        rebuild,
        cacheDir,
      });
  const load = async (cacheDir: string | undefined) =>
    (await loadEdited(editor(cacheDir), sileroFile(), EDIT, apply, OPTIONS, 'VAD', (m) => warnings.push(m))).session;
  const entryOf = (cacheDir: string) => {
    const dir = path.join(cacheDir, 'models');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx'));
    assert.strictEqual(files.length, 1, `one entry in ${dir}: ${files.join(', ')}`);
    return path.join(dir, files[0]);
  };
  /** Silero's speech probability and state for a 440 Hz tone: the same from the source file and from any entry. */
  const outputsOf = async (s: ort.InferenceSession) => {
    const tone = Float32Array.from({ length: 512 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    const out = await s.run({
      input: new ort.Tensor('float32', tone, [1, 512]),
      state: new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]),
      sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
    });
    await s.release();
    return [...(out.output.data as Float32Array), ...(out.stateN.data as Float32Array)];
  };
  let expected: number[];
  before(async () => {
    expected = await outputsOf(await loadSession(sileroFile(), OPTIONS));
  });
  const runs = async (s: ort.InferenceSession) => {
    const got = await outputsOf(s);
    assert.strictEqual(got.length, expected.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `output ${i}: ${v} against ${expected[i]}`));
  };

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-cache-'));
    applied = 0;
    warnings = [];
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('prepares once, then loads the optimized entry without editing again', async () => {
    await runs(await load(tmp));
    assert.strictEqual(applied, 1);
    const entry = entryOf(tmp);
    assert.ok(fs.existsSync(`${entry}.json`), 'the entry has its sidecar');
    const sidecar = JSON.parse(fs.readFileSync(`${entry}.json`, 'utf8'));
    const data = fs.statSync(dataFileOf(entry));
    assert.strictEqual(sidecar.data?.size, data.size, 'the sidecar stamps the data file');
    assert.ok(
      data.size > 4 * fs.statSync(entry).size,
      `the weights are in the data file (${data.size} B) rather than the model (${fs.statSync(entry).size} B)`,
    );
    assert.ok(!fs.readdirSync(path.dirname(entry)).some((f) => f.endsWith('.tmp')), 'no temporary file is left');
    const second = await prepareModel({
      source: sileroFile(),
      sourceSha256: SILERO_V5.sha256,
      sourceVerified: Promise.resolve(),
      edit: EDIT,
      variant: JSON.stringify({ ort: ort.env.versions.common, level: 'all' }),
      apply,
      cacheDir: tmp,
    });
    assert.strictEqual(second.cached, true);
    assert.strictEqual(second.model, entry);
    await runs(await load(tmp));
    assert.strictEqual(applied, 1, 'the second load used the cache');
    assert.deepStrictEqual(warnings, []);
  });

  /** Flips a byte near the end of `file`, written as a new file (new inode: its stamp no longer matches). */
  const damage = (file: string) => {
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100] ^= 0xff;
    fs.rmSync(file);
    fs.writeFileSync(file, bytes);
  };

  it('drops a damaged entry and prepares the model again', async () => {
    await runs(await load(tmp));
    damage(entryOf(tmp));
    await runs(await load(tmp));
    assert.strictEqual(applied, 2, 'edited again');
    assert.ok(
      warnings.some((w) => /damaged/.test(w)),
      warnings.join('\n'),
    );
    const sidecar = JSON.parse(fs.readFileSync(`${entryOf(tmp)}.json`, 'utf8'));
    assert.strictEqual(sidecar.size, fs.statSync(entryOf(tmp)).size, 'the rebuilt entry has a fresh sidecar');
  });

  it('drops an entry whose data file was damaged, and prepares the model again', async () => {
    await runs(await load(tmp));
    damage(dataFileOf(entryOf(tmp)));
    await runs(await load(tmp));
    assert.strictEqual(applied, 2, 'edited again');
    assert.ok(
      warnings.some((w) => /damaged/.test(w) && w.includes('.data')),
      warnings.join('\n'),
    );
    const sidecar = JSON.parse(fs.readFileSync(`${entryOf(tmp)}.json`, 'utf8'));
    assert.strictEqual(sidecar.data.size, fs.statSync(dataFileOf(entryOf(tmp))).size, 'the rebuilt data file has a fresh stamp');
  });

  it('works without a cache, and warns when the cache cannot be written', async () => {
    await runs(await load(undefined));
    const blocked = path.join(tmp, 'not-a-folder');
    fs.writeFileSync(blocked, 'x');
    // A cache that cannot be written costs only time: the model is prepared in memory, and the reason given once.
    const inMemory = await prepareModel({
      source: sileroFile(),
      sourceSha256: SILERO_V5.sha256,
      sourceVerified: Promise.resolve(),
      edit: EDIT,
      variant: 'v',
      apply,
      cacheDir: blocked,
    });
    assert.strictEqual(inMemory.cached, false);
    assert.strictEqual(inMemory.saveTo, undefined);
    assert.ok(inMemory.model instanceof Uint8Array);
    assert.match(inMemory.cacheProblem ?? '', /cannot be written \(ENOTDIR\)/);
    const proc = await prepareModel({
      source: sileroFile(),
      sourceSha256: SILERO_V5.sha256,
      sourceVerified: Promise.resolve(),
      edit: EDIT,
      variant: 'v',
      apply,
      cacheDir: '/proc/voiceflow-test',
    });
    assert.match(proc.cacheProblem ?? '', /pseudo-filesystem/);
    assert.ok(
      cacheEntryPath(tmp, SILERO_V5.sha256, EDIT, 'a') !== cacheEntryPath(tmp, SILERO_V5.sha256, EDIT, 'b'),
      'the variant is part of the name',
    );
  });

  it('never edits a source that failed its check', async () => {
    const bad = Promise.reject(new Error('not the pinned file'));
    bad.catch(() => undefined);
    await assert.rejects(
      prepareModel({
        source: sileroFile(),
        sourceSha256: SILERO_V5.sha256,
        sourceVerified: bad,
        edit: EDIT,
        variant: 'v',
        apply,
        cacheDir: tmp,
      }),
      /not the pinned file/,
    );
    assert.strictEqual(applied, 0);
    assert.ok(!fs.existsSync(path.join(tmp, 'models')) || fs.readdirSync(path.join(tmp, 'models')).length === 0);
  });
});
