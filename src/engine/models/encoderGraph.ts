/**
 * Graph edit that lets the exported Whisper encoder run on less than 30 s of audio, and run it for its hidden states only.
 *
 * The export adds the constant positional embedding `embed_positions.weight` [1500, d_model] to the convolution
 * output at one Add node, which fixes the input at 3000 mel frames. Slicing the constant to the convolution output's
 * length (Shape -> Gather(axis 1) -> Slice) makes the encoder accept any even number of frames up to 3000, and the
 * cost of the encoder falls with the length (self-attention is quadratic in it).
 *
 * The export also has each layer's attention weights as graph outputs (`encoder_attentions.*`). Not fetching them
 * does not spare them: a graph output gets its own buffer, so each layer's [heads, frames/2, frames/2] softmax was
 * copied into one (the Reshape in front of it, a view otherwise) at every run, ~30% of the encoder's time on 2 cores
 * for a 12 s window. The edit keeps `last_hidden_state` as the only output.
 */
import { onnx } from 'onnx-proto';
import { int64Tensor } from './onnxProto';

const POSITIONS = 'embed_positions.weight';
/** The one output the engine uses. */
export const HIDDEN_STATES = 'last_hidden_state';

/** Returns the edited model's bytes; throws if the graph is not the export this was written for. */
export function sliceablePositionsEncoder(model: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const graph = m.graph;
  if (!graph?.node || !graph.initializer) throw new Error('the encoder model has no graph');
  const index = graph.node.findIndex((n) => n.opType === 'Add' && (n.input ?? []).includes(POSITIONS));
  if (index < 0) throw new Error(`the encoder graph has no Add of ${POSITIONS}`);
  const add = graph.node[index];
  const other = add.input!.find((i) => i !== POSITIONS)!;
  const p = 'voiceflow_positions';
  graph.initializer.push(int64Tensor(`${p}_axis_index`, [1]), int64Tensor(`${p}_zero`, [0]));
  const nodes: onnx.INodeProto[] = [
    { name: `${p}_shape`, opType: 'Shape', input: [other], output: [`${p}_shape_out`] },
    {
      name: `${p}_length`,
      opType: 'Gather',
      input: [`${p}_shape_out`, `${p}_axis_index`],
      output: [`${p}_length_out`],
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
    },
    { name: `${p}_slice`, opType: 'Slice', input: [POSITIONS, `${p}_zero`, `${p}_length_out`, `${p}_zero`], output: [`${p}_sliced`] },
  ];
  add.input = add.input!.map((i) => (i === POSITIONS ? `${p}_sliced` : i));
  graph.node.splice(index, 0, ...nodes);
  if (!(graph.output ?? []).some((o) => o.name === HIDDEN_STATES)) throw new Error(`the encoder graph has no ${HIDDEN_STATES} output`);
  graph.output = graph.output!.filter((o) => o.name === HIDDEN_STATES);
  return onnx.ModelProto.encode(m).finish();
}
