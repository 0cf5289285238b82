/**
 * The engine/peer rounds of one model (`npm run bench` and `npm run bench:peers`): the engine (a child process, as the
 * CLI and the extension start it) and the transformers.js peer (in this process) take turns on every clip after one
 * untimed warm-up of each; then WER, latency percentiles, engine memory, and, when asked, the engine's idle CPU.
 */
import { ModelName } from '../src/protocol';
import { Clip, loadAudio16k } from './clips';
import { Contention, contentionBetween, sampleCpu } from './contention';
import { EngineRunner } from './engineRunner';
import { measureIdleCpu } from './idleCpu';
import { PeerAsr } from './peer';
import { ClipResult, ModelResult, runAlternately, summarize } from './results';

export const SILENCE_SECONDS = 30;

const progress = (s: string) => process.stderr.write(s);

async function benchClip(engine: EngineRunner, peer: PeerAsr, clip: Clip, runs: number): Promise<ClipResult> {
  const audio = loadAudio16k(clip.path);
  const peerRun = async () => {
    const t0 = performance.now();
    const text = await peer.transcribe(audio);
    return { ms: performance.now() - t0, text };
  };
  const [e, p] = await runAlternately([() => engine.transcribe(clip.path), peerRun], runs);
  return {
    clip: clip.name,
    kind: clip.kind,
    seconds: clip.seconds,
    reference: clip.reference,
    engine: e,
    peer: p,
    speedup: p.medianMs / e.medianMs,
  };
}

/** The rounds; `idleCpuFrom` (the silence clip) adds the idle CPU measure. */
export async function benchModel(
  model: ModelName,
  clips: Clip[],
  runs: number,
  enginePath: string,
  root: string,
  idleCpuFrom?: Clip,
): Promise<ModelResult> {
  progress(`[${model}] loading the engine and the peer...\n`);
  const engine = await EngineRunner.start(enginePath, { model });
  let peer: PeerAsr | undefined;
  try {
    peer = await PeerAsr.load(model, root);
    const results: ClipResult[] = [];
    for (const clip of clips) {
      progress(`[${model}] ${clip.name} `);
      const r = await benchClip(engine, peer, clip, runs);
      progress(`engine ${Math.round(r.engine.medianMs)} ms, peer ${Math.round(r.peer.medianMs)} ms\n`);
      results.push(r);
    }
    const rssBytes = await engine.rssBytes();
    let idleCpu;
    if (idleCpuFrom) {
      progress(`[${model}] listening to ${SILENCE_SECONDS} s of silence at real-time pace for idle CPU...\n`);
      idleCpu = await measureIdleCpu(engine.client, idleCpuFrom.path, SILENCE_SECONDS);
    }
    return {
      model,
      engineInit: { loadMs: engine.init.loadMs, cachedEdits: engine.init.cachedEdits },
      peerLoadMs: peer.loadMs,
      clips: results,
      engine: { ...summarize(results.map((c) => ({ ...c, runs: c.engine }))), rssBytes },
      peer: summarize(results.map((c) => ({ ...c, runs: c.peer }))),
      ...(idleCpu ? { idleCpu } : {}),
    };
  } finally {
    await peer?.dispose();
    await engine.shutdown();
  }
}

/** Runs a section and records the CPU other processes used meanwhile (Linux). */
export async function withContention<T extends { contention?: Contention }>(cpus: number, run: () => Promise<T>): Promise<T> {
  const before = sampleCpu();
  const result = await run();
  const contention = contentionBetween(before, sampleCpu(), cpus);
  if (contention) result.contention = contention;
  return result;
}
