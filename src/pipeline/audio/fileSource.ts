import { RingBuffer } from '../ring';

/**
 * Plays decoded 16 kHz audio into the ring in chunks, either at real-time pace (as a microphone would deliver it,
 * paced against the start time so timer jitter does not accumulate) or as fast as the consumer takes it
 * (waiting for room instead of overrunning: a file can wait, a microphone cannot).
 */
export async function playFile(
  samples: Float32Array,
  ring: RingBuffer,
  opts: { realtime: boolean; chunkMs: number; stopped: () => boolean },
): Promise<number> {
  const chunk = Math.max(1, Math.round((opts.chunkMs * 16000) / 1000));
  const t0 = performance.now();
  let pos = 0;
  while (pos < samples.length && !opts.stopped()) {
    const end = Math.min(samples.length, pos + chunk);
    if (opts.realtime) {
      // A microphone hands over a chunk once all of it has been heard.
      const due = t0 + (end / 16000) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      ring.write(samples, pos, end);
    } else {
      while (!ring.waitForRoom(end - pos, 50)) {
        if (opts.stopped()) return pos;
        await sleep(0); // let the stop message in
      }
      ring.write(samples, pos, end);
    }
    pos = end;
  }
  return pos;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
