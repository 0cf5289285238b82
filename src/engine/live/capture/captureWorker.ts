/**
 * Capture runs here, on one long-lived worker thread, so that inference on the main thread never delays it: the
 * worker reads blocks from its source and writes them into the session's shared ring. The native capture addons
 * are loaded only in this thread (naudiodon's segfault-handler cannot be loaded into a second thread of a
 * process), device listing included. A live source that stops delivering is reported, never silent.
 * Bundled as dist/captureWorker.js.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'worker_threads';
import { EngineErrorCode } from '../../../protocol';
import { EngineError } from '../../errors';
import { reclaim } from '../../memory';
import { RingBuffer } from '../ring';
import { listInputDevices } from './devices';
import { FileSource } from './fileSource';
import { NaudiodonSource } from './naudiodonSource';
import { PvRecorderSource } from './pvrecorderSource';
import { AudioSource, CaptureCommand, CaptureEvent, CaptureJob, CaptureWake } from './source';

/** A live source that delivers no block at all (not quiet blocks: none) for this long has gone away. */
const STALL_MS = 2000;
/** Opening a device can take a while (PortAudio over ALSA over PulseAudio: up to ~2 s here) before the first block. */
const FIRST_BLOCK_MS = 5000;

const stopped = new Set<number>();
const post = (e: CaptureEvent) => parentPort!.postMessage(e);
const wake = new CaptureWake((workerData as { wake?: SharedArrayBuffer } | null)?.wake);
let seen = wake.count;

parentPort!.on('message', handle);

/**
 * Blocks this thread until `until` (performance.now() clock), taking the engine's commands as they come: a stop
 * is seen at once, not after the sleep.
 */
function sleepUntil(until: number): void {
  for (let ms = until - performance.now(); ms > 0.5; ms = until - performance.now()) {
    if (wake.count === seen && !wake.sleep(ms, seen)) return;
    seen = wake.count;
    for (let m = receiveMessageOnPort(parentPort!); m; m = receiveMessageOnPort(parentPort!)) handle(m.message as CaptureCommand);
  }
}

function handle(cmd: CaptureCommand): void {
  switch (cmd.type) {
    case 'start':
      void capture(cmd.job);
      break;
    // The loop ends after the block in flight (at most one frame), so no read is pending when the device closes.
    case 'stop':
      stopped.add(cmd.session);
      break;
    case 'listDevices':
      try {
        post({ type: 'devices', request: cmd.request, devices: listInputDevices(cmd.backend) });
      } catch (err) {
        const e = asCaptureError(err);
        post({ type: 'devices', request: cmd.request, error: { code: e.code, message: e.message } });
      }
      break;
  }
}

function open(job: CaptureJob, ring: RingBuffer): AudioSource {
  if (job.kind === 'file') return new FileSource(job.samples, job.realtime, job.chunkMs, sleepUntil, () => ring.blockFrames);
  if (job.backend === 'naudiodon') return new NaudiodonSource(job.device, job.frameLength);
  return new PvRecorderSource(job.device, job.frameLength, sleepUntil, () => ring.blockFrames);
}

/** The next block, or an error once a live source has delivered nothing for STALL_MS. */
function nextBlock(source: AudioSource, first: boolean): Promise<Int16Array | Float32Array | null> {
  if (!source.live) return source.read();
  const limit = first ? FIRST_BLOCK_MS : STALL_MS;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new EngineError(
            EngineErrorCode.DeviceLost,
            `The microphone delivered no audio for ${limit / 1000} s: it was unplugged or its sound server stopped.`,
          ),
        ),
      limit,
    );
    source
      .read()
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

async function capture(job: CaptureJob): Promise<void> {
  const session = job.session;
  const ring = new RingBuffer(0, job.ring);
  let source: AudioSource | undefined;
  let total = 0;
  try {
    source = open(job, ring);
    let first = true;
    while (!stopped.has(session)) {
      const block = await nextBlock(source, first);
      // "Listening" is only said once audio flows: a device can open and then deliver nothing.
      if (first) post({ type: 'started', session, device: source.deviceName });
      first = false;
      if (!block || stopped.has(session)) break;
      if (!source.live) {
        // A file can wait for room instead of overrunning.
        while (!stopped.has(session) && !ring.waitForRoom(block.length, 50)) await new Promise((r) => setImmediate(r));
      }
      // Samples a device queue dropped are lost like an overrun: counted where the session reports overruns.
      ring.countLost(source.takeDropped?.() ?? 0);
      total += block instanceof Int16Array ? ring.writeInt16(block) : ring.write(block);
    }
    source.close();
    post({ type: 'eof', session, samples: total });
  } catch (err) {
    source?.close();
    const e = asCaptureError(err);
    post({ type: 'error', session, code: e.code, message: e.message });
  } finally {
    stopped.delete(session);
    // A file's samples (4 MB a minute) are garbage once its session ends, but this thread allocates too little for
    // V8 to collect on its own: without this, each file session's samples stayed (the soak grew ~4 MB per session).
    if (job.kind === 'file') setImmediate(() => reclaim(0));
  }
}

function asCaptureError(err: unknown): EngineError {
  return err instanceof EngineError
    ? err
    : new EngineError(EngineErrorCode.CaptureFailed, `Capture failed: ${(err as Error)?.message ?? err}`);
}
