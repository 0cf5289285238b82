/**
 * Graph edit for the merged Whisper decoder's output projection (the tied embedding, uint8 [vocab, d_model] with a
 * per-tensor scale and zero point).
 *
 * As exported, each branch of the merged decoder's If runs Transpose + DequantizeLinear of the 51865 x 384 table
 * on every step, then an fp32 MatMul: about half of a step. The edit transposes the table once, here, into one
 * initializer of the outer graph that both branches use, in one of two forms:
 * - 'int8': the transposed uint8 table feeds com.microsoft DynamicQuantizeMatMul, the op the export already uses
 *   for every other linear layer (the hidden state is quantized per step, the GEMV reads 20 MB instead of 80 MB);
 * - 'fp32': the table dequantized to fp32 (80 MB for tiny), exactly the export's numbers.
 * Letting onnxruntime fold the export's nodes (session.disable_quant_qdq) also works, but folds a copy per branch
 * and dequantizes every other weight too (~320 MB for tiny's decoder).
 *
 * With `tokenRows`, the token-embedding lookup (Gather of the same table, then DequantizeLinear) leaves the graph
 * too: the quantized rows of the prompt or the step's token come in as the input TOKEN_EMBEDDINGS, read by the
 * engine from the pinned file (tokenRows.ts), and the table is no longer loaded at all (tiny: 20 MB). Where the table
 * lies in that file is written in the model's metadata (TOKEN_TABLE_METADATA), which onnxruntime keeps in the
 * optimized model it saves.
 */
import * as fs from 'fs';
import { onnx } from 'onnx-proto';
import { tensorValue } from './onnxProto';

export type ProjectionMode = 'int8' | 'fp32';

const TIED = 'model.decoder.embed_tokens.weight_merged_0_quantized';
const SCALE = 'model.decoder.embed_tokens.weight_merged_0_scale';
const ZERO = 'model.decoder.embed_tokens.weight_merged_0_zero_point';
const TRANSPOSED = 'model.decoder.embed_tokens.weight_transposed';
const PROJECTION = 'voiceflow_proj_out';
const LOGITS = 'logits';
/** The decoder input that replaces the token-embedding lookup: uint8 [batch, tokens, d_model], rows of the table. */
export const TOKEN_EMBEDDINGS = 'voiceflow_token_embeddings';
/** Metadata key of the table's place in the source file (a TokenTable as JSON). */
export const TOKEN_TABLE_METADATA = 'voiceflow.token_table';

/** Where the quantized token-embedding table lies in the pinned decoder file: rows x cols bytes from `offset`. */
export interface TokenTable {
  offset: number;
  rows: number;
  cols: number;
}

function scalar(t: onnx.ITensorProto, kind: 'float' | 'int8' | 'uint8'): number {
  if (t.rawData && t.rawData.length > 0) {
    const b = Buffer.from(t.rawData);
    return kind === 'float' ? b.readFloatLE(0) : kind === 'int8' ? b.readInt8(0) : b.readUInt8(0);
  }
  if (kind === 'float') return t.floatData![0];
  return t.int32Data![0];
}

/** The [vocab, dModel] table as [dModel, vocab]: raw bytes ('int8') or dequantized ('fp32'). */
function transposedTable(table: onnx.ITensorProto, scale: number, zero: number, mode: ProjectionMode): onnx.ITensorProto {
  const [vocab, dModel] = table.dims!.map(Number);
  const q = Buffer.from(table.rawData!);
  if (mode === 'int8') {
    const out = new Uint8Array(dModel * vocab);
    for (let v = 0; v < vocab; v++) for (let d = 0; d < dModel; d++) out[d * vocab + v] = q[v * dModel + d];
    return { name: PROJECTION, dataType: table.dataType, dims: [dModel, vocab], rawData: out };
  }
  const signed = table.dataType === onnx.TensorProto.DataType.INT8;
  const out = new Float32Array(dModel * vocab);
  for (let v = 0; v < vocab; v++) {
    for (let d = 0; d < dModel; d++) {
      const raw = signed ? q.readInt8(v * dModel + d) : q[v * dModel + d];
      out[d * vocab + v] = (raw - zero) * scale;
    }
  }
  return { name: PROJECTION, dataType: onnx.TensorProto.DataType.FLOAT, dims: [dModel, vocab], rawData: new Uint8Array(out.buffer) };
}

export function precomputedProjectionDecoder(model: Uint8Array, mode: ProjectionMode = 'int8', tokenRows = false): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph;
  if (!g?.initializer || !g.node) throw new Error('the decoder model has no graph');
  const byName = new Map(g.initializer.map((i) => [i.name, i]));
  const table = byName.get(TIED);
  const scaleT = byName.get(SCALE);
  const zeroT = byName.get(ZERO);
  if (!table?.rawData || !table.dims || !scaleT || !zeroT) throw new Error(`the decoder graph has no ${TIED} with its scale`);
  const zeroKind = zeroT.dataType === onnx.TensorProto.DataType.UINT8 ? 'uint8' : 'int8';
  g.initializer.push(transposedTable(table, scalar(scaleT, 'float'), scalar(zeroT, zeroKind), mode));
  let edited = 0;
  for (const node of g.node) {
    for (const attr of node.attribute ?? []) {
      const sub = attr.g;
      if (!sub?.node) continue;
      // Transpose of the table, and DequantizeLinear of the transposed table: replaced by the initializer.
      const producers = sub.node.filter(
        (n) => (n.output ?? []).includes(TRANSPOSED) || (n.opType === 'Transpose' && (n.input ?? []).includes(TIED)),
      );
      if (producers.length === 0) continue;
      sub.node = sub.node.filter((n) => !producers.includes(n));
      if (mode === 'fp32') {
        for (const n of sub.node) n.input = (n.input ?? []).map((i) => (i === TRANSPOSED ? PROJECTION : i));
      } else {
        const matmul = sub.node.find(
          (n) => n.opType === 'MatMul' && (n.input ?? []).includes(TRANSPOSED) && (n.output ?? []).includes(LOGITS),
        );
        if (!matmul) throw new Error('the decoder graph has no MatMul from the transposed table to the logits');
        matmul.opType = 'DynamicQuantizeMatMul';
        matmul.domain = 'com.microsoft';
        matmul.input = [matmul.input![0], PROJECTION, SCALE, ZERO];
      }
      edited++;
    }
  }
  if (edited === 0) throw new Error('the decoder graph has no transposed output projection to replace');
  if (mode === 'int8' && !(m.opsetImport ?? []).some((o) => o.domain === 'com.microsoft')) {
    m.opsetImport = [...(m.opsetImport ?? []), { domain: 'com.microsoft', version: 1 }];
  }
  if (tokenRows) tokenEmbeddingsAsInput(m, table, model);
  return onnx.ModelProto.encode(m).finish();
}

/** Replaces every Gather of the table by the TOKEN_EMBEDDINGS input and drops the table (see the file comment). */
function tokenEmbeddingsAsInput(m: onnx.ModelProto, table: onnx.ITensorProto, source: Uint8Array): void {
  const g = m.graph!;
  const raw = table.rawData!;
  const [rows, cols] = table.dims!.map(Number);
  // The decoded table is a view of the source bytes: its offset there is its offset in the file.
  const offset = raw.byteOffset - source.byteOffset;
  if (
    raw.buffer !== source.buffer ||
    raw.length !== rows * cols ||
    Buffer.compare(source.subarray(offset, offset + raw.length), raw) !== 0
  ) {
    throw new Error(`could not find where ${TIED} lies in the decoder file`);
  }
  let replaced = 0;
  const visit = (graph: onnx.IGraphProto) => {
    const gathers = (graph.node ?? []).filter((n) => n.opType === 'Gather' && n.input?.[0] === TIED);
    const outputs = new Set(gathers.flatMap((n) => n.output ?? []));
    graph.node = (graph.node ?? []).filter((n) => !gathers.includes(n));
    for (const n of graph.node) {
      n.input = (n.input ?? []).map((i) => (outputs.has(i) ? TOKEN_EMBEDDINGS : i));
      for (const a of n.attribute ?? []) if (a.g) visit(a.g);
    }
    replaced += gathers.length;
  };
  visit(g);
  if (replaced === 0) throw new Error(`the decoder graph has no lookup in ${TIED}`);
  const stillUsed = (graph: onnx.IGraphProto): boolean =>
    (graph.node ?? []).some((n) => n.input?.includes(TIED) || (n.attribute ?? []).some((a) => a.g && stillUsed(a.g)));
  if (stillUsed(g)) throw new Error(`${TIED} is used by more than its lookups and the projection`);
  g.initializer = g.initializer!.filter((i) => i !== table);
  g.input = [...(g.input ?? []), tensorValue(TOKEN_EMBEDDINGS, table.dataType!, ['batch_size', 'decoder_sequence_length', cols])];
  const location: TokenTable = { offset, rows, cols };
  m.metadataProps = [...(m.metadataProps ?? []), { key: TOKEN_TABLE_METADATA, value: JSON.stringify(location) }];
}

/** The token table's place recorded in a model's metadata (a file path or its bytes), if the edit put it there. */
export function tokenTableOf(model: string | Uint8Array): TokenTable | undefined {
  const bytes = typeof model === 'string' ? fs.readFileSync(model) : model;
  // As a plain Uint8Array: protobufjs makes an empty bytes field of a Buffer with the deprecated `new Buffer(0)`.
  const m = onnx.ModelProto.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const entry = (m.metadataProps ?? []).find((p) => p.key === TOKEN_TABLE_METADATA);
  return entry?.value ? (JSON.parse(entry.value) as TokenTable) : undefined;
}
