/**
 * Graph edit for the merged Whisper decoder: the output projection (the tied embedding, int8 [vocab, d_model] with a
 * per-tensor scale) is transposed and dequantized once, here, into one fp32 initializer of the outer graph that
 * both branches of the merged decoder's If use.
 *
 * As exported, each branch runs Transpose + DequantizeLinear of the 51865 x 384 table on every step: about half of
 * a step. Letting onnxruntime fold them (session.disable_quant_qdq) also works, but folds a copy per branch and
 * dequantizes every other weight too (~320 MB for tiny's decoder instead of ~190 MB).
 */
import { onnx } from 'onnx-proto';

const TIED = 'model.decoder.embed_tokens.weight_merged_0_quantized';
const SCALE = 'model.decoder.embed_tokens.weight_merged_0_scale';
const ZERO = 'model.decoder.embed_tokens.weight_merged_0_zero_point';
const TRANSPOSED = 'model.decoder.embed_tokens.weight_transposed';
const PROJECTION = 'voiceflow_proj_out_fp32';

function scalar(t: onnx.ITensorProto, kind: 'float' | 'int8' | 'uint8'): number {
  if (t.rawData && t.rawData.length > 0) {
    const b = Buffer.from(t.rawData);
    return kind === 'float' ? b.readFloatLE(0) : kind === 'int8' ? b.readInt8(0) : b.readUInt8(0);
  }
  if (kind === 'float') return t.floatData![0];
  return t.int32Data![0];
}

export function precomputedProjectionDecoder(model: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph;
  if (!g?.initializer || !g.node) throw new Error('the decoder model has no graph');
  const byName = new Map(g.initializer.map((i) => [i.name, i]));
  const table = byName.get(TIED);
  const scaleT = byName.get(SCALE);
  const zeroT = byName.get(ZERO);
  if (!table?.rawData || !table.dims || !scaleT || !zeroT) throw new Error(`the decoder graph has no ${TIED} with its scale`);
  const [vocab, dModel] = table.dims.map(Number);
  const scale = scalar(scaleT, 'float');
  const zero = scalar(zeroT, zeroT.dataType === onnx.TensorProto.DataType.UINT8 ? 'uint8' : 'int8');
  const q = Buffer.from(table.rawData);
  const signed = table.dataType === onnx.TensorProto.DataType.INT8;
  const out = new Float32Array(dModel * vocab);
  for (let v = 0; v < vocab; v++) {
    for (let d = 0; d < dModel; d++) {
      const raw = signed ? q.readInt8(v * dModel + d) : q[v * dModel + d];
      out[d * vocab + v] = (raw - zero) * scale;
    }
  }
  g.initializer.push({
    name: PROJECTION,
    dataType: onnx.TensorProto.DataType.FLOAT,
    dims: [dModel, vocab],
    rawData: new Uint8Array(out.buffer),
  });
  let edited = 0;
  for (const node of g.node) {
    for (const attr of node.attribute ?? []) {
      const sub = attr.g;
      if (!sub?.node) continue;
      const producers = sub.node.filter((n) => (n.output ?? []).includes(TRANSPOSED) || (n.opType === 'Transpose' && (n.input ?? []).includes(TIED)));
      if (producers.length === 0) continue;
      sub.node = sub.node.filter((n) => !producers.includes(n));
      for (const n of sub.node) n.input = (n.input ?? []).map((i) => (i === TRANSPOSED ? PROJECTION : i));
      edited++;
    }
  }
  if (edited === 0) throw new Error('the decoder graph has no transposed output projection to replace');
  return onnx.ModelProto.encode(m).finish();
}
