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

/**
 * How the engine wakes the capture worker at once while it sleeps between microphone reads. pvrecorder is read
 * synchronously, the worker sleeping in `Atomics.wait` until a frame is due: a timer and a pass of the worker's event
 * loop for each of the 31 frames a second cost about as much CPU as the reads themselves (docs/decisions.md, "Idle
 * CPU"). The engine bumps the counter after each command it posts; a sleep that sees it change returns early so the
 * worker can take the command.
 */
export class CaptureWake {
  private readonly word: Int32Array;

  constructor(shared = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.word = new Int32Array(shared);
  }

  get shared(): SharedArrayBuffer {
    return this.word.buffer as SharedArrayBuffer;
  }

  /** Engine side: a command was posted. */
  ring(): void {
    Atomics.add(this.word, 0, 1);
    Atomics.notify(this.word, 0);
  }

  /** Worker side: the count to pass to `sleep` (read before checking for commands). */
  get count(): number {
    return Atomics.load(this.word, 0);
  }

  /** Worker side: blocks the thread for up to `ms`; true if a command was posted since `count` was read. */
  sleep(ms: number, count: number): boolean {
    return Atomics.wait(this.word, 0, count, ms) !== 'timed-out';
  }
}
