import * as assert from 'assert';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { RingBuffer, WAKE_RMS } from '../../../../src/engine/live/ring';

/** Header layout of the ring (write index, read index, overrun count): used to start the counters near 2^31 / 2^32. */
const WRITE = 0;
const READ = 1;

function ramp(from: number, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = from + i;
  return a;
}

function drain(ring: RingBuffer): number[] {
  const out = new Float32Array(ring.capacity);
  const n = ring.read(out);
  return Array.from(out.subarray(0, n));
}

describe('RingBuffer', () => {
  it('rounds the capacity up to a power of two', () => {
    assert.strictEqual(new RingBuffer(1).capacity, 1);
    assert.strictEqual(new RingBuffer(3).capacity, 4);
    assert.strictEqual(new RingBuffer(1000).capacity, 1024);
    assert.strictEqual(new RingBuffer(1024).capacity, 1024);
    assert.strictEqual(new RingBuffer(1025).capacity, 2048);
    assert.strictEqual(new RingBuffer(16000).capacity, 16384);
    assert.strictEqual(new RingBuffer(1000).shared.data.byteLength, 1024 * 4);
  });

  it('reads samples back in the order they were written', () => {
    const ring = new RingBuffer(16);
    assert.strictEqual(ring.available(), 0);
    assert.strictEqual(ring.free(), 16);
    assert.strictEqual(ring.write([1, 2, 3]), 3);
    assert.strictEqual(ring.write(Float32Array.of(4, 5)), 2);
    assert.strictEqual(ring.available(), 5);
    assert.strictEqual(ring.free(), 11);
    const out = new Float32Array(3);
    assert.strictEqual(ring.read(out), 3);
    assert.deepStrictEqual(Array.from(out), [1, 2, 3]);
    assert.deepStrictEqual(drain(ring), [4, 5]);
    assert.strictEqual(ring.available(), 0);
    assert.strictEqual(ring.read(out), 0, 'reading an empty ring returns nothing');
  });

  it('honours start/end on write and offset/count on read', () => {
    const ring = new RingBuffer(8);
    assert.strictEqual(ring.write([9, 9, 1, 2, 3, 9], 2, 5), 3);
    const out = new Float32Array([-1, -1, -1, -1]);
    assert.strictEqual(ring.read(out, 1, 2), 2);
    assert.deepStrictEqual(Array.from(out), [-1, 1, 2, -1]);
    assert.strictEqual(ring.read(out, 3), 1);
    assert.deepStrictEqual(Array.from(out), [-1, 1, 2, 3]);
  });

  it('wraps around its capacity many times without losing or reordering samples', () => {
    const ring = new RingBuffer(16);
    let next = 0;
    let expected = 0;
    const out = new Float32Array(16);
    // Chunk sizes co-prime with the capacity so the indices land on every slot.
    for (let round = 0; round < 500; round++) {
      const n = Math.min(1 + ((round * 7) % 13), ring.free());
      assert.strictEqual(ring.write(ramp(next, n)), n);
      next += n;
      const got = ring.read(out, 0, 1 + ((round * 5) % 16));
      for (let i = 0; i < got; i++) assert.strictEqual(out[i], expected++, `round ${round}`);
    }
    const rest = drain(ring);
    for (const v of rest) assert.strictEqual(v, expected++);
    assert.strictEqual(expected, next);
    assert.ok(next > 16 * 100, 'the indices went round the ring many times');
    assert.strictEqual(ring.overruns, 0);
  });

  it('drops and counts samples written to a full ring, keeping the data already in it', () => {
    const ring = new RingBuffer(8);
    assert.strictEqual(ring.write(ramp(0, 10)), 8);
    assert.strictEqual(ring.overruns, 2);
    assert.strictEqual(ring.free(), 0);
    assert.strictEqual(ring.write([100, 101, 102]), 0);
    assert.strictEqual(ring.overruns, 5);
    assert.deepStrictEqual(drain(ring), [0, 1, 2, 3, 4, 5, 6, 7]);
    // After a partial read, only the freed room is written.
    assert.strictEqual(ring.write(ramp(10, 8)), 8);
    const out = new Float32Array(3);
    ring.read(out);
    assert.strictEqual(ring.write(ramp(20, 5)), 3);
    assert.strictEqual(ring.overruns, 7);
    assert.deepStrictEqual(drain(ring), [13, 14, 15, 16, 17, 20, 21, 22]);
  });

  it('writeInt16 scales int16 to [-1, 1) and counts overruns the same way', () => {
    const ring = new RingBuffer(4);
    assert.strictEqual(ring.writeInt16(Int16Array.of(-32768, 0, 16384, 32767, 1, 2)), 4);
    assert.strictEqual(ring.overruns, 2);
    const out = new Float32Array(4);
    ring.read(out);
    assert.deepStrictEqual(Array.from(out), [-1, 0, 0.5, Math.fround(32767 / 32768)]);
    assert.ok(out[3] < 1);
  });

  it('keeps working when its 32-bit counters pass 2^31 and 2^32', () => {
    for (const startAt of [0x7ffffffb, 0xfffffffb]) {
      const ring = new RingBuffer(8);
      const header = new Int32Array(ring.shared.header);
      header[WRITE] = startAt | 0;
      header[READ] = startAt | 0;
      assert.strictEqual(ring.available(), 0);
      let next = 0;
      let expected = 0;
      for (let round = 0; round < 10; round++) {
        assert.strictEqual(ring.write(ramp(next, 6)), 6);
        next += 6;
        assert.strictEqual(ring.available(), 6);
        assert.strictEqual(ring.free(), 2);
        // The write index may have wrapped while the read index has not: the room must still be 2.
        assert.strictEqual(ring.write(ramp(next, 3)), 2);
        next += 3;
        assert.strictEqual(ring.overruns, round + 1);
        for (const v of drain(ring)) {
          if (v === next - 1) assert.fail('a sample beyond the room was written');
          assert.strictEqual(v, expected++);
        }
        expected++; // the dropped sample
      }
      assert.strictEqual(expected, 90);
      assert.strictEqual(ring.available(), 0);
    }
  });

  it('two RingBuffer objects on the same SharedArrayBuffers see one ring (producer and consumer views)', () => {
    const producer = new RingBuffer(32);
    const consumer = new RingBuffer(0, producer.shared);
    assert.strictEqual(consumer.capacity, 32, 'an attached ring takes its capacity from the shared data');
    producer.write(ramp(0, 20));
    assert.strictEqual(consumer.available(), 20);
    const out = new Float32Array(15);
    assert.strictEqual(consumer.read(out), 15);
    assert.deepStrictEqual(Array.from(out), Array.from(ramp(0, 15)));
    assert.strictEqual(producer.available(), 5, 'the producer sees what the consumer read');
    assert.strictEqual(producer.free(), 27);
    producer.write(ramp(20, 40));
    assert.strictEqual(consumer.overruns, 13);
    assert.deepStrictEqual(drain(consumer), Array.from(ramp(15, 32)));
  });

  it('waitForRoom returns at once when there is room and false after the timeout when the ring stays full', () => {
    const ring = new RingBuffer(8);
    assert.strictEqual(ring.waitForRoom(8, 0), true);
    ring.write(ramp(0, 8));
    const t0 = Date.now();
    assert.strictEqual(ring.waitForRoom(1, 30), false);
    assert.ok(Date.now() - t0 >= 25, 'it waited');
  });

  it('waitForData wakes for any write, or in loud-only mode only for a block above WAKE_RMS, else at the timeout', async function () {
    const ring = new RingBuffer(4096);
    const quiet = new Float32Array(512).fill(WAKE_RMS / 4);
    const loud = new Float32Array(512).fill(WAKE_RMS * 4);
    const timed = async (loudOnly: boolean, timeoutMs: number, write?: Float32Array) => {
      const t0 = performance.now();
      const waiting = ring.waitForData(loudOnly, timeoutMs);
      if (write) setTimeout(() => ring.write(write), 20);
      await waiting;
      ring.read(new Float32Array(4096));
      return performance.now() - t0;
    };
    assert.ok((await timed(false, 2000, quiet)) < 1000, 'any write wakes a consumer that waits for data');
    assert.ok((await timed(true, 2000, loud)) < 1000, 'a loud block wakes a consumer that waits for loud data');
    const slept = await timed(true, 300, quiet);
    assert.ok(slept >= 280, `a quiet block does not wake it: it slept ${Math.round(slept)} ms until the timeout`);
    const t0 = performance.now();
    await ring.waitForData(false, 50);
    assert.ok(performance.now() - t0 >= 45, 'with nothing written it returns at the timeout');
  });

  it('carries a stream from a worker_threads producer to this thread in order, with no loss', async function () {
    this.timeout(20000);
    const TOTAL = 200_000;
    const CHUNK = 300;
    const ring = new RingBuffer(1024);
    const ringModule = path.resolve(__dirname, '../../../../src/engine/live/ring.js');
    // The worker writes 0, 1, 2, ... and blocks in waitForRoom while the ring is full.
    const worker = new Worker(
      `
      const { workerData, parentPort } = require('worker_threads');
      const { RingBuffer } = require(workerData.ringModule);
      const ring = new RingBuffer(0, workerData.shared);
      const chunk = new Float32Array(workerData.chunk);
      let next = 0;
      while (next < workerData.total) {
        const n = Math.min(chunk.length, workerData.total - next);
        for (let i = 0; i < n; i++) chunk[i] = next + i;
        if (!ring.waitForRoom(n, 5000)) throw new Error('consumer stalled');
        next += ring.write(chunk, 0, n);
      }
      parentPort.postMessage('done');
      `,
      { eval: true, workerData: { ringModule, shared: ring.shared, total: TOTAL, chunk: CHUNK } },
    );
    const finished = new Promise<void>((resolve, reject) => {
      worker.on('error', reject);
      worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
    });
    let failed: unknown;
    finished.catch((err) => (failed = err));
    const out = new Float32Array(777);
    let expected = 0;
    while (expected < TOTAL) {
      if (failed) throw failed;
      const n = ring.read(out);
      for (let i = 0; i < n; i++) {
        if (out[i] !== expected) assert.fail(`sample ${expected} arrived as ${out[i]}`);
        expected++;
      }
      if (n === 0) await new Promise((r) => setImmediate(r));
    }
    await finished;
    assert.strictEqual(expected, TOTAL);
    assert.strictEqual(ring.overruns, 0, 'a producer that waits for room never overruns');
    assert.strictEqual(ring.available(), 0);
  });
});
