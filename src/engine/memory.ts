/**
 * Collecting inference garbage promptly. Every onnxruntime run hands back new ArrayBuffers: the logits of each
 * decoder step (51865 floats, 207 KB), the self-attention cache of each step and the cross-attention cache of each
 * pass, about 30 MB per utterance of tiny. V8 frees them only in a full collection, and starts one on its own only
 * after some 64 MB have piled up outside its heap, so the engine's RSS swung with that garbage (figures in
 * docs/decisions.md). Once a transcription has finished and
 * none waits, the engine collects if more than RECLAIM_BYTES are held outside the heap. A full collection of the
 * engine's ~10 MB heap takes a few milliseconds, after the text has been sent.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

/** Memory outside V8's heap (ArrayBuffers) above which a finished transcription is followed by a collection. */
export const RECLAIM_BYTES = 16 * 1024 * 1024;

let collect: (() => void) | undefined;

/** V8's collector: the global `gc` when node runs with --expose-gc, else exposed now in a fresh context. */
function collector(): () => void {
  if (!collect) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) {
      collect = exposed;
    } else {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    }
  }
  return collect;
}

/** Runs a full collection if more than `thresholdBytes` are held outside the heap; true if it ran. */
export function reclaim(thresholdBytes = RECLAIM_BYTES): boolean {
  if (v8.getHeapStatistics().external_memory < thresholdBytes) return false;
  collector()();
  return true;
}
