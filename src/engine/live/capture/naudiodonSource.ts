import { loadNaudiodon, PortAudioStream } from '../../../../native/captureBackends';
import { EngineErrorCode } from '../../../protocol';
import { EngineError } from '../../errors';
import { AudioSource } from './source';

/** Blocks kept while the worker is busy; beyond this the oldest are dropped and counted. */
const MAX_QUEUED_BLOCKS = 256;

/**
 * The optional PortAudio backend (naudiodon). Event-driven: blocks queue until `read` takes them.
 * Opened at 16 kHz mono int16; PortAudio converts through the host API (ALSA/Pulse, CoreAudio, WASAPI).
 */
export class NaudiodonSource implements AudioSource {
  readonly live = true;
  readonly deviceName: string;
  private dropped = 0;
  private readonly stream: PortAudioStream;
  private readonly queue: Int16Array[] = [];
  private waiting?: { resolve: (b: Int16Array | null) => void; reject: (e: EngineError) => void };
  private failure?: EngineError;
  private closed = false;

  constructor(device: number, frameLength: number) {
    const na = loadNaudiodon();
    const inputs = na.getDevices().filter((d) => d.maxInputChannels > 0);
    if (inputs.length === 0) {
      throw new EngineError(
        EngineErrorCode.DeviceNotFound,
        'No microphone found: connect one, or choose one with VoiceFlow: Select Microphone.',
      );
    }
    const chosen = device >= 0 ? inputs.find((d) => d.id === device) : undefined;
    if (device >= 0 && !chosen) {
      throw new EngineError(
        EngineErrorCode.DeviceNotFound,
        `Microphone ${device} does not exist: choose one with VoiceFlow: Select Microphone.`,
      );
    }
    this.deviceName = chosen?.name ?? 'default';
    try {
      this.stream = new na.AudioIO({
        inOptions: {
          channelCount: 1,
          sampleFormat: na.SampleFormat16Bit,
          sampleRate: 16000,
          deviceId: chosen ? chosen.id : -1,
          framesPerBuffer: frameLength,
          // naudiodon's stream otherwise hands over 16 KB (512 ms) at a time: one frame per block instead.
          highwaterMark: frameLength * 2,
          // PortAudio reports an input overflow as an error; closing on it would end dictation on a busy machine.
          closeOnError: false,
        },
      });
    } catch (err) {
      throw new EngineError(EngineErrorCode.DeviceNotFound, `The microphone could not be opened: ${(err as Error).message}`);
    }
    this.stream.on('data', (chunk: Buffer) =>
      this.push(new Int16Array(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength))),
    );
    this.stream.on('error', (err) =>
      this.fail(new EngineError(EngineErrorCode.DeviceLost, `The microphone stopped delivering audio: ${(err as Error)?.message ?? err}`)),
    );
    this.stream.start();
  }

  private push(block: Int16Array): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve(block);
      return;
    }
    if (this.queue.length >= MAX_QUEUED_BLOCKS) {
      this.dropped += this.queue.shift()!.length;
    }
    this.queue.push(block);
  }

  private fail(err: EngineError): void {
    this.failure = err;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.reject(err);
    }
  }

  read(): Promise<Int16Array | null> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!);
    if (this.closed) return Promise.resolve(null);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiting?.resolve(null);
    this.waiting = undefined;
    this.stream.quit();
  }
}

export function naudiodonDevices(): Array<{ id: number; name: string; isDefault: boolean }> {
  const na = loadNaudiodon();
  const apis = na.getHostAPIs();
  const defaultInput = apis.HostAPIs.find((h) => h.id === apis.defaultHostAPI)?.defaultInput;
  return na
    .getDevices()
    .filter((d) => d.maxInputChannels > 0)
    .map((d) => ({ id: d.id, name: d.name, isDefault: d.id === defaultInput }));
}
