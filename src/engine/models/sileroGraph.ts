/**
 * Graph edit of Silero VAD v5 (the ONNX export of @ricky0123/vad-web): a model that runs many frames in one call.
 *
 * The export takes one frame at a time: input [batch, 512], state [2, batch, 128], sr. Its body is an If on the
 * sample rate, and inside the 16 kHz branch further Ifs on the batch size around the LSTM (which runs a sequence of
 * one). At batch 1 onnxruntime spends ~140 us a frame, most of it on that control flow, against ~55 us of arithmetic.
 *
 * The edit keeps the 16 kHz branch's own nodes and weights and wires them differently: the front end (STFT and the
 * four convolutions) sees every frame as one batch, since it has no state; its outputs then go to the same LSTM
 * (same weights, same gate order) as a sequence of `frames` steps with batch 1, so the state flows from each frame
 * to the next as it would between calls; the head (ReLU, 1x1 convolution, sigmoid) runs on every step.
 * In: input [frames, 512], state [2, 1, 128]. Out: output [frames] (speech probability per frame), stateN.
 * Frame by frame (frames = 1) it answers what the export does, bit for bit (tested); on a whole file it is ~2.5x
 * faster than one call per frame.
 */
import { onnx } from 'onnx-proto';
import { int64Tensor, tensorValue } from './onnxProto';

/** The edited model keeps the export's input and output names. */
const IO = { frames: 'input', state: 'state', probabilities: 'output', stateOut: 'stateN' } as const;

const FRAME = 512;
const HIDDEN = 128;
const SAMPLE_RATE = 16000;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

type Node = onnx.INodeProto;

/** Every node of a graph and of its nested subgraphs, in order (the export's value names are unique). */
function flatten(g: onnx.IGraphProto): Node[] {
  const out: Node[] = [];
  for (const n of g.node ?? []) {
    out.push(n);
    for (const a of n.attribute ?? []) if (a.g) out.push(...flatten(a.g));
  }
  return out;
}

function int64s(t: onnx.ITensorProto | null | undefined): bigint[] {
  if (!t) return [];
  if (t.rawData && t.rawData.length) {
    const b = Buffer.from(t.rawData);
    return Array.from({ length: b.length / 8 }, (_, i) => b.readBigInt64LE(i * 8));
  }
  return (t.int64Data ?? []).map((v) => BigInt(v.toString()));
}

/** The If branch the export takes at 16 kHz: `If(Equal(sr, 16000))`'s then-branch. */
function branch16k(g: onnx.IGraphProto): onnx.IGraphProto {
  const ifNode = (g.node ?? []).find((n) => n.opType === 'If');
  const equal = (g.node ?? []).find((n) => n.opType === 'Equal' && n.output?.[0] === ifNode?.input?.[0]);
  const constant = (g.node ?? []).find((n) => n.opType === 'Constant' && equal?.input?.includes(n.output?.[0] ?? ''));
  if (!ifNode || !equal?.input?.includes('sr') || !constant) throw new Error('the model has no If on its sample rate');
  const rate = int64s(constant.attribute?.find((a) => a.name === 'value')?.t);
  const taken = rate[0] === BigInt(SAMPLE_RATE) ? 'then_branch' : 'else_branch';
  const g16 = ifNode.attribute?.find((a) => a.name === taken)?.g;
  if (!g16) throw new Error(`the sample-rate If has no ${taken}`);
  return g16;
}

/** The sequence model's bytes from the export's (see the file comment). Throws a sentence if the graph is not the one expected. */
export function sileroSequenceModel(model: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  if (!m.graph) throw new Error('the VAD model has no graph');
  const nodes = flatten(branch16k(m.graph));
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  const lstms = nodes.filter((n) => n.opType === 'LSTM');
  const front = nodes.find((n) => n.opType === 'Relu' && n.output?.[0]?.endsWith('/encoder/3/activation/Relu_output_0'));
  const head = nodes.find((n) => n.opType === 'Conv' && n.output?.[0]?.endsWith('/decoder/decoder/2/Conv_output_0'));
  if (!lstms.length || !front || !head)
    throw new Error('the VAD graph is not Silero v5 (no encoder, LSTM or output convolution where expected)');
  // Both LSTMs of the export (with and without a state) share the weights' preparation; the first one's is used.
  const lstm = lstms[0];
  const [, w, r, b] = lstm.input ?? [];
  if (!w || !r || !b) throw new Error('the VAD LSTM has no weights');

  // Only the nodes the kept values need (constants included), in the export's order.
  const keep = new Set<Node>();
  const need = (name: string) => {
    const p = producer.get(name);
    if (!p || keep.has(p)) return;
    keep.add(p);
    for (const i of p.input ?? []) if (i) need(i);
  };
  for (const name of [front.output![0], w, r, b, head.input![1], head.input![2]]) need(name);
  const kept = nodes.filter((n) => keep.has(n));
  if (kept.some((n) => n.opType === 'If' || (n.input ?? []).some((i) => i === IO.state || i === 'sr'))) {
    throw new Error('the VAD front end depends on its state or control flow');
  }

  const node = (opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = []): Node => ({
    opType,
    input,
    output,
    attribute,
    name: `voiceflow_${output[0]}`,
  });
  const axis0: onnx.IAttributeProto = { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 };
  const graph: onnx.IGraphProto = {
    name: 'silero_v5_sequence',
    node: [
      ...kept,
      // Front end [frames, 128, 1] -> LSTM input [frames (sequence), 1 (batch), 128].
      node('Reshape', [front.output![0], 'vf_seq_shape'], ['vf_x']),
      node('Slice', [IO.state, 'vf_0', 'vf_1', 'vf_0'], ['vf_h0']),
      node('Slice', [IO.state, 'vf_1', 'vf_2', 'vf_0'], ['vf_c0']),
      { ...lstm, input: ['vf_x', w, r, b, '', 'vf_h0', 'vf_c0'], output: ['vf_y', 'vf_yh', 'vf_yc'], name: 'voiceflow_lstm' },
      node('Concat', ['vf_yh', 'vf_yc'], [IO.stateOut], [axis0]),
      // Hidden states [frames, 1, 1, 128] -> [frames, 128, 1], as the head takes each one.
      node('Reshape', ['vf_y', 'vf_head_shape'], ['vf_h']),
      node('Relu', ['vf_h'], ['vf_relu']),
      { ...head, input: ['vf_relu', head.input![1], head.input![2]], output: ['vf_logit'], name: 'voiceflow_head' },
      node('Sigmoid', ['vf_logit'], ['vf_sigmoid']),
      node('Reshape', ['vf_sigmoid', 'vf_out_shape'], [IO.probabilities]),
    ],
    initializer: [
      int64Tensor('vf_seq_shape', [-1, 1, HIDDEN]),
      int64Tensor('vf_head_shape', [-1, HIDDEN, 1]),
      int64Tensor('vf_out_shape', [-1]),
      int64Tensor('vf_0', [0]),
      int64Tensor('vf_1', [1]),
      int64Tensor('vf_2', [2]),
    ],
    input: [tensorValue(IO.frames, FLOAT, ['frames', FRAME]), tensorValue(IO.state, FLOAT, [2, 1, HIDDEN])],
    output: [tensorValue(IO.probabilities, FLOAT, ['frames']), tensorValue(IO.stateOut, FLOAT, [2, 1, HIDDEN])],
  };
  return onnx.ModelProto.encode({ irVersion: m.irVersion, opsetImport: m.opsetImport, producerName: 'voiceflow', graph }).finish();
}
