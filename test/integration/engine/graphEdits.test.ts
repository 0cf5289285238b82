/** The two ONNX graph edits change speed and memory, not results: checked against the models as exported. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { whisperFiles } from '../../../src/engine/models/pins';
import { precomputedProjectionDecoder, TOKEN_EMBEDDINGS, tokenTableOf } from '../../../src/engine/models/decoderGraph';
import { sliceablePositionsEncoder } from '../../../src/engine/models/encoderGraph';
import { LogMel, N_FRAMES, N_MELS } from '../../../src/engine/whisper/mel';
import { TokenRows } from '../../../src/engine/whisper/tokenRows';
import { loadClip } from '../../audioFixtures';

const OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 2, graphOptimizationLevel: 'all' };

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.strictEqual(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('Whisper graph edits (tiny)', function () {
  this.timeout(120000);
  const files = whisperFiles('tiny');
  const mel = new LogMel().compute(loadClip('cards/001.wav')).slice();

  it("the sliceable-positions encoder gives the export's output on 30 s, and runs on shorter windows", async function () {
    const original = await ort.InferenceSession.create(files.encoder, OPTIONS);
    const edited = await ort.InferenceSession.create(sliceablePositionsEncoder(fs.readFileSync(files.encoder)), OPTIONS);
    // The attention maps are no longer outputs (each was copied into a buffer of its own at every run).
    assert.ok(original.outputNames.includes('encoder_attentions.0'));
    assert.deepStrictEqual(edited.outputNames, ['last_hidden_state']);
    const input = new ort.Tensor('float32', mel, [1, N_MELS, N_FRAMES]);
    const a = (await original.run({ input_features: input }, ['last_hidden_state'])).last_hidden_state;
    const b = (await edited.run({ input_features: input }, ['last_hidden_state'])).last_hidden_state;
    assert.deepStrictEqual(b.dims, [1, 1500, 384]);
    assert.ok(maxAbsDiff(a.data as Float32Array, b.data as Float32Array) < 1e-4);
    const frames = 1000;
    const short = new Float32Array(N_MELS * frames);
    for (let m = 0; m < N_MELS; m++) short.set(mel.subarray(m * N_FRAMES, m * N_FRAMES + frames), m * frames);
    const c = (await edited.run({ input_features: new ort.Tensor('float32', short, [1, N_MELS, frames]) }, ['last_hidden_state']))
      .last_hidden_state;
    assert.deepStrictEqual(c.dims, [1, frames / 2, 384]);
    await assert.rejects(original.run({ input_features: new ort.Tensor('float32', short, [1, N_MELS, frames]) }, ['last_hidden_state']));
    await Promise.all([original.release(), edited.release()]);
  });

  it("the precomputed projection gives the export's logits (fp32) and its choices (int8)", async function () {
    const encoder = await ort.InferenceSession.create(files.encoder, OPTIONS);
    const hidden = (await encoder.run({ input_features: new ort.Tensor('float32', mel, [1, N_MELS, N_FRAMES]) }, ['last_hidden_state']))
      .last_hidden_state;
    const original = await ort.InferenceSession.create(files.decoder, OPTIONS);
    const bytes = fs.readFileSync(files.decoder);
    const fp32 = await ort.InferenceSession.create(precomputedProjectionDecoder(bytes, 'fp32'), OPTIONS);
    const int8 = await ort.InferenceSession.create(precomputedProjectionDecoder(bytes, 'int8'), OPTIONS);
    // <|startoftranscript|><|en|><|transcribe|><|notimestamps|> and the first words of "ten of clubs".
    const ids = [50258n, 50259n, 50359n, 50363n];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids), [1, ids.length]),
      encoder_hidden_states: hidden,
      use_cache_branch: new ort.Tensor('bool', [false], [1]),
    };
    const empty = new ort.Tensor('float32', new Float32Array(0), [1, 6, 0, 64]);
    for (let i = 0; i < 4; i++)
      for (const p of ['decoder', 'encoder']) for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${p}.${kv}`] = empty;
    const a = (await original.run(feeds, ['logits'])).logits.data as Float32Array;
    const b = (await fp32.run(feeds, ['logits'])).logits.data as Float32Array;
    const c = (await int8.run(feeds, ['logits'])).logits.data as Float32Array;
    assert.ok(maxAbsDiff(a, b) < 1e-3, `fp32: max diff ${maxAbsDiff(a, b)}`);
    const V = 51865;
    const argmax = (x: Float32Array, row: number) => {
      let best = 0;
      for (let i = 1; i < V; i++) if (x[row * V + i] > x[row * V + best]) best = i;
      return best;
    };
    for (let row = 0; row < ids.length; row++) {
      assert.strictEqual(argmax(b, row), argmax(a, row), `fp32 row ${row}`);
      assert.strictEqual(argmax(c, row), argmax(a, row), `int8 row ${row}`);
    }
    // int8 quantizes the hidden state per step: close to the export's logits, not equal.
    const rowDiff = maxAbsDiff(a.subarray(3 * V, 4 * V), c.subarray(3 * V, 4 * V));
    assert.ok(rowDiff > 0 && rowDiff < 1.5, `int8: max diff ${rowDiff}`);

    // The token rows read from the file in place of the in-graph lookup: the very same logits as int8 with the table.
    const byRowBytes = precomputedProjectionDecoder(bytes, 'int8', true);
    const table = tokenTableOf(byRowBytes)!;
    assert.deepStrictEqual([table.rows, table.cols], [V, 384]);
    const byRow = await ort.InferenceSession.create(byRowBytes, OPTIONS);
    assert.ok(byRow.inputNames.includes(TOKEN_EMBEDDINGS));
    const rows = TokenRows.open(files.decoder, table);
    const embeddings = new Uint8Array(ids.length * 384);
    ids.forEach((id, i) => rows.read(Number(id), embeddings, i));
    rows.close();
    const d = (await byRow.run({ ...feeds, [TOKEN_EMBEDDINGS]: new ort.Tensor('uint8', embeddings, [1, ids.length, 384]) }, ['logits']))
      .logits.data as Float32Array;
    assert.strictEqual(maxAbsDiff(c, d), 0, 'token rows from the file give the logits of the in-graph lookup');
    await Promise.all([encoder.release(), original.release(), fp32.release(), int8.release(), byRow.release()]);
  });

  it("token rows are the table's rows in the pinned file, and a bad token or a short file is an error", function () {
    const bytes = fs.readFileSync(files.decoder);
    const table = tokenTableOf(precomputedProjectionDecoder(bytes, 'int8', true))!;
    const rows = TokenRows.open(files.decoder, table);
    const row = new Uint8Array(2 * 384);
    rows.read(50257, row, 1);
    assert.ok(
      Buffer.from(row.subarray(384)).equals(bytes.subarray(table.offset + 50257 * 384, table.offset + 50258 * 384)),
      'row 50257 as in the file',
    );
    assert.ok(
      row.subarray(0, 384).every((b) => b === 0),
      'only row 1 was written',
    );
    assert.throws(() => rows.read(table.rows, row), /outside the table/);
    assert.throws(() => rows.read(-1, row), /outside the table/);
    rows.close();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-rows-'));
    try {
      const short = path.join(dir, 'decoder.onnx');
      fs.writeFileSync(short, bytes.subarray(0, table.offset + 1000));
      assert.throws(() => TokenRows.open(short, table), /too short for its token table/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
