import { AudioSource } from './source';

/**
 * Decoded 16 kHz audio handed out in chunks, either at real-time pace (as a microphone would deliver it: a chunk
 * once all of it has been "heard", paced against the start time so timer jitter does not accumulate) or as fast as
 * the consumer takes it.
 */
export class FileSource implements AudioSource {
  readonly deviceName = 'file';
  private pos = 0;
  private readonly chunk: number;
  private t0 = 0;

  constructor(
    private readonly samples: Float32Array,
    readonly live: boolean,
    chunkMs: number,
  ) {
    this.chunk = Math.max(1, Math.round((chunkMs * 16000) / 1000));
  }

  async read(): Promise<Float32Array | null> {
    if (this.pos >= this.samples.length) return null;
    const end = Math.min(this.samples.length, this.pos + this.chunk);
    if (this.live) {
      if (this.t0 === 0) this.t0 = performance.now();
      const wait = this.t0 + (end / 16000) * 1000 - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const block = this.samples.subarray(this.pos, end);
    this.pos = end;
    return block;
  }

  close(): void {
    this.pos = this.samples.length;
  }
}
