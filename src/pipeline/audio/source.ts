import { RingBufferShared } from '../ring';

/** What a capture worker is told to do: fill the ring from a source. */
export type CaptureJob =
  | { kind: 'file'; ring: RingBufferShared; samples: Float32Array; realtime: boolean; chunkMs: number }
  | { kind: 'microphone'; ring: RingBufferShared; device: number; backend: string; frameLength: number };

/** Messages from a capture worker to the engine. */
export type CaptureEvent =
  | { type: 'started'; device?: string }
  | { type: 'eof'; samples: number }
  | { type: 'error'; code: number; message: string };

/** Messages from the engine to a capture worker. */
export type CaptureCommand = { type: 'stop' };
