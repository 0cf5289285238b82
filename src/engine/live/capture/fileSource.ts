import { AudioSource } from './source';

/**
 * Decoded 16 kHz audio handed out in chunks, either at real-time pace (as a microphone would deliver it: a chunk
 * once all of it has been "heard", paced against the start time so timer jitter does not accumulate) or as fast as
 * the consumer takes it. At real-time pace it waits as the microphone's source does (pvrecorderSource.ts): blocked
 * in `sleepUntil` (no timer; the engine's commands are still taken), after one event-loop turn a block, and
 * `blockFrames` chunks at a time while the consumer asks for more than one (nothing said for a while: session.ts,
 * "Idle blocks"). Without them a paced file woke its thread through a timer at every 32 ms chunk, twice the idle CPU
 * of the microphone it stands in for.
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
    private readonly sleepUntil: (until: number) => void,
    private readonly blockFrames: () => number,
  ) {
    this.chunk = Math.max(1, Math.round((chunkMs * 16000) / 1000));
  }

  async read(): Promise<Float32Array | null> {
    if (this.pos >= this.samples.length) return null;
    const end = Math.min(this.samples.length, this.pos + (this.live ? this.blockFrames() : 1) * this.chunk);
    if (this.live) {
      if (this.t0 === 0) this.t0 = performance.now();
      // A turn for the event loop first (the stall check's timers), then a blocked wait until the block is heard.
      await new Promise((resolve) => setImmediate(resolve));
      this.sleepUntil(this.t0 + (end / 16000) * 1000);
    }
    const block = this.samples.subarray(this.pos, end);
    this.pos = end;
    return block;
  }

  close(): void {
    this.pos = this.samples.length;
  }
}
