import { loadPvRecorder, PvRecorderInstance } from '../../../../native/captureBackends';
import { EngineErrorCode } from '../../../protocol';
import { EngineError } from '../../errors';
import { AudioSource } from './source';

/** Frames pvrecorder buffers internally (x frameLength samples): ~2 s at 512, room for a slow worker tick. */
const BUFFERED_FRAMES = 64;
/**
 * pvrecorder's read waits for its frame inside the native call: waiting there for most of a 32 ms frame costs more CPU
 * than sleeping until the frame is nearly due (docs/decisions.md). So the worker sleeps
 * until then and lets read wait the last few ms; after a read that returned at once (frames were waiting), the next
 * is due a frame after the one expected, so a backlog is read without sleeping.
 */
const READ_EARLY_MS = 4;

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

  constructor(
    private readonly device: number,
    frameLength: number,
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
    const sleep = this.nextDue - READ_EARLY_MS - performance.now();
    if (sleep > 1) await new Promise((resolve) => setTimeout(resolve, sleep));
    if (this.closed) return null;
    try {
      const t = performance.now();
      const frame = await this.recorder.read();
      const end = performance.now();
      const completedAt = end - t > 1 || this.nextDue === 0 ? end : this.nextDue;
      this.nextDue = completedAt + this.frameMs;
      return frame;
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
