import { CaptureBackend, InputDevice } from '../../../protocol';
import { RingBufferShared } from '../ring';

/**
 * A capture backend or a file: yields blocks of 16 kHz mono samples. Int16 from devices, float32 from files
 * (already validated at ingestion).
 */
export interface AudioSource {
  /** The device's name, for the user and the logs. */
  readonly deviceName: string;
  /** A live source delivers in real time and cannot wait (a microphone); a file can wait for room in the ring. */
  readonly live: boolean;
  /** The next block; null once the source has ended. Rejects with an EngineError when the device fails. */
  read(): Promise<Int16Array | Float32Array | null>;
  /** Samples the backend dropped before `read` took them, since the last call (counted as the ring's overrun). */
  takeDropped?(): number;
  /** Releases the device. Safe to call twice. */
  close(): void;
}

/** What the capture worker is told to do for one session: fill the ring from a source. */
export type CaptureJob =
  | { kind: 'file'; session: number; ring: RingBufferShared; samples: Float32Array; realtime: boolean; chunkMs: number }
  | { kind: 'microphone'; session: number; ring: RingBufferShared; device: number; backend: CaptureBackend; frameLength: number };

/** Messages from the capture worker to the engine. */
export type CaptureEvent =
  | { type: 'started'; session: number; device: string }
  | { type: 'eof'; session: number; samples: number }
  | { type: 'error'; session: number; code: number; message: string }
  | { type: 'devices'; request: number; devices?: InputDevice[]; error?: { code: number; message: string } };

/** Messages from the engine to the capture worker. */
export type CaptureCommand =
  | { type: 'start'; job: CaptureJob }
  | { type: 'stop'; session: number }
  | { type: 'listDevices'; request: number; backend: CaptureBackend };
