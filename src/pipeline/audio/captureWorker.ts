/**
 * Capture runs here, on a worker thread, so that inference on the main thread never delays it: the worker only
 * writes into the shared ring. Bundled as dist/captureWorker.js.
 */
import { parentPort, workerData } from 'worker_threads';
import { RingBuffer } from '../ring';
import { CaptureCommand, CaptureEvent, CaptureJob } from './source';
import { playFile } from './fileSource';

const job = workerData as CaptureJob;
const ring = new RingBuffer(0, job.ring);
let stopped = false;
parentPort!.on('message', (cmd: CaptureCommand) => {
  if (cmd.type === 'stop') stopped = true;
});
const post = (e: CaptureEvent) => parentPort!.postMessage(e);

async function main(): Promise<void> {
  if (job.kind === 'file') {
    post({ type: 'started' });
    const written = await playFile(job.samples, ring, { realtime: job.realtime, chunkMs: job.chunkMs, stopped: () => stopped });
    post({ type: 'eof', samples: written });
  } else {
    post({ type: 'error', code: -32042, message: 'Microphone capture is not available in this build.' });
  }
}

main().catch((err: Error) => post({ type: 'error', code: -32040, message: `Capture failed: ${err.message}` }));
