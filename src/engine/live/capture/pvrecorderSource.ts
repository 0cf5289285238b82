import { loadPvRecorder, PvRecorderInstance } from '../../../../native/captureBackends';
import { EngineErrorCode } from '../../../protocol';
import { EngineError } from '../../errors';
import { AudioSource } from './source';

/** Frames pvrecorder buffers internally (x frameLength samples): ~2 s at 512, room for a slow worker tick. */
const BUFFERED_FRAMES = 64;
/**
 * pvrecorder's read polls for its frame inside the native call (2 ms sleeps), and its async read is that call in a
 * timer: waiting there costs more CPU than sleeping until the frame is due (docs/decisions.md, "Idle CPU"). So the
 * worker sleeps (blocked, no timer, no event-loop pass) until READ_LATE_MS after the frame is due and reads it
 * synchronously; after a read that returned at once (frames were waiting), the next is due a frame after the one
 * expected, so a backlog is read without sleeping.
 */
const READ_LATE_MS = 2;
/**
 * Every READS_PER_TURN reads (~0.25 s) the worker's event loop gets a turn (its timers: the stall check), and the read
 * is made PROBE_EARLY_MS before the frame is due: if the frame is already there, the device's clock runs ahead of
 * ours and the schedule moves earlier. Without the probe a fast device would build a backlog, a growing delay.
 */
const READS_PER_TURN = 8;
const PROBE_EARLY_MS = 3;
/** The most frames read in one block, whatever the consumer asks (`blockFrames`). */
const MAX_BLOCK_FRAMES = 8;

/** Maps pvrecorder's errors to ones a user can act on. */
export function pvRecorderError(err: unknown, during: 'open' | 'read', device: number): EngineError {
  const name = (err as Error)?.constructor?.name ?? '';
  const message = (err as Error)?.message ?? String(err);
  if (/permission|denied|not allowed|access/i.test(message)) {
    return new EngineError(
      EngineErrorCode.PermissionDenied,
      `Microphone access was denied: allow this application to use the microphone. (${message})`,
    );
  }
  if (during === 'read') {
    return new EngineError(
      EngineErrorCode.DeviceLost,
      `The microphone stopped delivering audio (it was unplugged or its sound server stopped). (${message})`,
    );
  }
  if (/InvalidArgument/.test(name) && device >= 0) {
    return new EngineError(
      EngineErrorCode.DeviceNotFound,
      `Microphone ${device} does not exist: choose one with VoiceFlow: Select Microphone.`,
    );
  }
  return new EngineError(
    EngineErrorCode.DeviceNotFound,
    `No microphone could be opened: connect one, or choose one with VoiceFlow: Select Microphone. (${message})`,
  );
}

/** The default capture backend: @picovoice/pvrecorder-node, 16 kHz mono int16, prebuilt for every platform. */
export class PvRecorderSource implements AudioSource {
  readonly live = true;
  readonly deviceName: string;
  private readonly recorder: PvRecorderInstance;
  private firstRead = true;
  private closed = false;
  private readonly frameMs: number;
  /** When the next frame should be complete (performance.now() clock); 0 until the first read. */
  private nextDue = 0;
  private reads = 0;

  /**
   * `sleepUntil` blocks the thread until a performance.now() time, taking the engine's commands meanwhile;
   * `blockFrames` is how many frames the engine wants per block: more than one only while nothing is being said, so
   * the first frame of speech after a long silence may reach the VAD a few frames later (session.ts, "Idle blocks").
   */
  constructor(
    private readonly device: number,
    private readonly frameLength: number,
    private readonly sleepUntil: (until: number) => void,
    private readonly blockFrames: () => number = () => 1,
  ) {
    this.frameMs = (frameLength / 16000) * 1000;
    const { PvRecorder } = loadPvRecorder();
    try {
      this.recorder = new PvRecorder(frameLength, device, BUFFERED_FRAMES);
      this.recorder.start();
      this.deviceName = this.recorder.getSelectedDevice();
    } catch (err) {
      throw pvRecorderError(err, 'open', device);
    }
  }

  async read(): Promise<Int16Array | null> {
    if (this.closed) return null;
    const probe = ++this.reads % READS_PER_TURN === 0;
    if (probe) await new Promise((resolve) => setImmediate(resolve));
    const count = Math.min(MAX_BLOCK_FRAMES, this.blockFrames());
    if (this.nextDue > 0) this.sleepUntil(this.nextDue + (count - 1) * this.frameMs + (probe ? -PROBE_EARLY_MS : READ_LATE_MS));
    if (this.closed) return null;
    try {
      if (count === 1) return this.readFrame(probe);
      const block = new Int16Array(count * this.frameLength);
      for (let i = 0; i < count; i++) block.set(this.readFrame(probe && i === count - 1), i * this.frameLength);
      return block;
    } catch (err) {
      if (this.closed) return null;
      // The first read can time out while the device starts up: once more before giving up.
      if (this.firstRead) {
        this.firstRead = false;
        return this.read();
      }
      throw pvRecorderError(err, 'read', this.device);
    } finally {
      this.firstRead = false;
    }
  }

  /** One frame, now; keeps the schedule (`nextDue`). */
  private readFrame(probe: boolean): Int16Array {
    const t = performance.now();
    const frame = this.recorder.readSync();
    const end = performance.now();
    if (end - t > 1 || this.nextDue === 0)
      this.nextDue = end; // it waited: the frame completed just now
    else if (probe) this.nextDue -= PROBE_EARLY_MS; // there before it was due: the device runs ahead
    this.nextDue += this.frameMs;
    return frame;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.recorder.stop();
    } catch {
      /* the device may already be gone */
    }
    this.recorder.release();
  }
}

export function pvRecorderDevices(): string[] {
  const { PvRecorder } = loadPvRecorder();
  try {
    return PvRecorder.getAvailableDevices();
  } catch (err) {
    throw pvRecorderError(err, 'open', -1);
  }
}
