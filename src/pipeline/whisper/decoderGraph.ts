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
 */
import { onnx } from 'onnx-proto';

export type ProjectionMode = 'int8' | 'fp32';

const TIED = 'model.decoder.embed_tokens.weight_merged_0_quantized';
const SCALE = 'model.decoder.embed_tokens.weight_merged_0_scale';
const ZERO = 'model.decoder.embed_tokens.weight_merged_0_zero_point';
const TRANSPOSED = 'model.decoder.embed_tokens.weight_transposed';
const PROJECTION = 'voiceflow_proj_out';
const LOGITS = 'logits';

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

export function precomputedProjectionDecoder(model: Uint8Array, mode: ProjectionMode = 'int8'): Uint8Array {
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
      const producers = sub.node.filter((n) => (n.output ?? []).includes(TRANSPOSED) || (n.opType === 'Transpose' && (n.input ?? []).includes(TIED)));
      if (producers.length === 0) continue;
      sub.node = sub.node.filter((n) => !producers.includes(n));
      if (mode === 'fp32') {
        for (const n of sub.node) n.input = (n.input ?? []).map((i) => (i === TRANSPOSED ? PROJECTION : i));
      } else {
        const matmul = sub.node.find((n) => n.opType === 'MatMul' && (n.input ?? []).includes(TRANSPOSED) && (n.output ?? []).includes(LOGITS));
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
  return onnx.ModelProto.encode(m).finish();
}
