/**
 * Single-producer single-consumer ring of float32 samples over a SharedArrayBuffer.
 * The producer (a capture worker) and the consumer (the engine's main loop) may be on different threads:
 * indices are monotonically increasing 32-bit counters published with Atomics; capacity is a power of two.
 * Appends are O(1) amortized with no allocation; when full, new samples are dropped and counted as overrun.
 */
const WRITE = 0;
const READ = 1;
const OVERRUN = 2;
/** Counts blocks written louder than WAKE_RMS: a consumer idling in silence waits on it (see `waitForData`). */
const LOUD = 3;
/** Frames the consumer would like per block (1, or more while nothing is said): see `blockFrames`. */
const BLOCK_FRAMES = 4;
/** Six, not five: the float64 clock after the ints must be 8-byte aligned. */
const HEADER_INTS = 6;

/** A written block with an RMS above this (-60 dBFS, the VAD's energy gate) wakes a consumer waiting for loud data. */
export const WAKE_RMS = 0.001;
/** After the int32 indices: the wall-clock time (epoch ms) of the last write, as a float64. */
const HEADER_BYTES = HEADER_INTS * Int32Array.BYTES_PER_ELEMENT + Float64Array.BYTES_PER_ELEMENT;

export interface RingBufferShared {
  header: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export class RingBuffer {
  readonly capacity: number;
  private readonly mask: number;
  private readonly header: Int32Array;
  private readonly clock: Float64Array;
  private readonly data: Float32Array;

  /** `capacity` is rounded up to a power of two. Pass `shared` to attach to a ring made elsewhere. */
  constructor(capacity: number, shared?: RingBufferShared) {
    let cap = 1;
    while (cap < capacity) cap <<= 1;
    if (shared) cap = shared.data.byteLength / Float32Array.BYTES_PER_ELEMENT;
    this.capacity = cap;
    this.mask = cap - 1;
    const header = shared?.header ?? new SharedArrayBuffer(HEADER_BYTES);
    const data = shared?.data ?? new SharedArrayBuffer(cap * Float32Array.BYTES_PER_ELEMENT);
    this.header = new Int32Array(header, 0, HEADER_INTS);
    this.clock = new Float64Array(header, HEADER_INTS * Int32Array.BYTES_PER_ELEMENT, 1);
    this.data = new Float32Array(data);
  }

  get shared(): RingBufferShared {
    return { header: this.header.buffer as SharedArrayBuffer, data: this.data.buffer as SharedArrayBuffer };
  }

  /**
   * Consumer, while no producer writes: empties the ring and zeroes its overrun count, for the next session. One ring
   * serves every session of an engine: a ring per session left its 4 MB buffer to both threads' garbage collectors.
   */
  reset(): void {
    Atomics.store(this.header, READ, Atomics.load(this.header, WRITE));
    Atomics.store(this.header, OVERRUN, 0);
    Atomics.store(this.header, BLOCK_FRAMES, 1);
  }

  /**
   * How many device frames the consumer wants per block: 1 (as soon as each is captured), or more while nothing has
   * been said for a while (fewer wakes on both threads; session.ts, IDLE_BLOCK_FRAMES). Set by the consumer, read by
   * a producer that can batch (pvrecorder).
   */
  get blockFrames(): number {
    return Math.max(1, Atomics.load(this.header, BLOCK_FRAMES));
  }

  set blockFrames(n: number) {
    Atomics.store(this.header, BLOCK_FRAMES, n);
  }

  /** Samples written and not yet read. */
  available(): number {
    return (Atomics.load(this.header, WRITE) - Atomics.load(this.header, READ)) >>> 0;
  }

  /** Room left for the producer. */
  free(): number {
    return this.capacity - this.available();
  }

  /**
   * When the sample just before the read position was written, estimated from the last write: the samples still
   * unread were captured after it, at 16 kHz. Used to time speech from its capture, not from its reading.
   */
  readPositionCapturedAt(sampleRate: number): number {
    return this.clock[0] - (this.available() / sampleRate) * 1000;
  }

  /** Total samples dropped because the ring was full. */
  get overruns(): number {
    return Atomics.load(this.header, OVERRUN) >>> 0;
  }

  /** Producer: counts `n` samples lost before they reached the ring (a device queue that overflowed) as overrun. */
  countLost(n: number): void {
    if (n > 0) Atomics.add(this.header, OVERRUN, n);
  }

  /** Producer: appends what fits, counts the rest as overrun, returns how many were written. */
  write(src: ArrayLike<number>, start = 0, end = src.length): number {
    const w = Atomics.load(this.header, WRITE) >>> 0;
    const room = this.capacity - ((w - (Atomics.load(this.header, READ) >>> 0)) >>> 0);
    const n = Math.min(end - start, room);
    let energy = 0;
    for (let i = 0; i < n; i++) {
      const v = src[start + i];
      this.data[(w + i) & this.mask] = v;
      energy += v * v;
    }
    if (n < end - start) Atomics.add(this.header, OVERRUN, end - start - n);
    this.publish(w, n, energy);
    return n;
  }

  /** Producer: writes int16 samples scaled to [-1, 1), same contract as `write`. */
  writeInt16(src: Int16Array): number {
    const w = Atomics.load(this.header, WRITE) >>> 0;
    const room = this.capacity - ((w - (Atomics.load(this.header, READ) >>> 0)) >>> 0);
    const n = Math.min(src.length, room);
    let energy = 0;
    for (let i = 0; i < n; i++) {
      const v = src[i] / 32768;
      this.data[(w + i) & this.mask] = v;
      energy += v * v;
    }
    if (n < src.length) Atomics.add(this.header, OVERRUN, src.length - n);
    this.publish(w, n, energy);
    return n;
  }

  private publish(w: number, n: number, energy: number): void {
    this.clock[0] = performance.timeOrigin + performance.now();
    Atomics.store(this.header, WRITE, (w + n) | 0);
    Atomics.notify(this.header, WRITE);
    if (n > 0 && energy / n > WAKE_RMS * WAKE_RMS) {
      Atomics.add(this.header, LOUD, 1);
      Atomics.notify(this.header, LOUD);
    }
  }

  /**
   * Consumer: resolves when the producer writes again (`loudOnly`: a block louder than WAKE_RMS), or after
   * `timeoutMs`. Waiting for loud data in silence lets the consumer sleep while still waking at once on speech.
   */
  async waitForData(loudOnly: boolean, timeoutMs: number): Promise<void> {
    const index = loudOnly ? LOUD : WRITE;
    const r = Atomics.waitAsync(this.header, index, Atomics.load(this.header, index), timeoutMs);
    if (r.async) await r.value;
  }

  /** Consumer: copies up to `dst.length - offset` samples into `dst`, returns how many. */
  read(dst: Float32Array, offset = 0, count = dst.length - offset): number {
    const r = Atomics.load(this.header, READ) >>> 0;
    const n = Math.min(count, (Atomics.load(this.header, WRITE) - r) >>> 0);
    for (let i = 0; i < n; i++) dst[offset + i] = this.data[(r + i) & this.mask];
    Atomics.store(this.header, READ, (r + n) | 0);
    Atomics.notify(this.header, READ);
    return n;
  }

  /** Producer side (worker threads only): blocks until at least `n` samples of room, or the timeout. */
  waitForRoom(n: number, timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    while (this.free() < n) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.header, READ, Atomics.load(this.header, READ), Math.min(left, 50));
    }
    return true;
  }
}
