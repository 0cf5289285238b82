/** Small builders for the ONNX graph edits (whisper/encoderGraph.ts, whisper/decoderGraph.ts, vadGraph.ts). */
import { onnx } from 'onnx-proto';

/** A 1-D int64 initializer (shapes, indices, axes). */
export function int64Tensor(name: string, values: number[]): onnx.ITensorProto {
  return {
    name,
    dataType: onnx.TensorProto.DataType.INT64,
    dims: [values.length],
    rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer),
  };
}

/** A graph input or output: a tensor of `elemType`, each dimension fixed (number) or named (string). */
export function tensorValue(name: string, elemType: number, dims: Array<number | string>): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}
