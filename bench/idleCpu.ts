/**
 * Idle CPU: a `listen` session fed 30 s of silence at real-time pace. The first `metrics` call right after start
 * resets the engine's CPU window; the second, when the session ends, reports CPU over the whole session.
 */
import { EngineClient } from '../src/engineClient';
import { SessionEndNotification } from '../src/protocol';
import { SessionRecorder, startFileSession } from './dictation';

export interface IdleCpuResult {
  /** Engine CPU over the session, percent of one core. */
  cpuPercent: number;
  wallMs: number;
  /** Non-empty finals heard in the silence (should be none). */
  finals: string[];
  sessionEnd: SessionEndNotification;
}

export async function measureIdleCpu(client: EngineClient, silencePath: string, seconds: number): Promise<IdleCpuResult> {
  const recorder = new SessionRecorder(client, () => '(silence)');
  try {
    const t0 = performance.now();
    const { ended } = await startFileSession(client, silencePath, seconds);
    await client.metrics(); // resets the CPU window
    const sessionEnd = await ended;
    const m = await client.metrics();
    const finals = recorder
      .utterances()
      .map((u) => u.text)
      .filter(Boolean);
    return { cpuPercent: m.cpuPercent, wallMs: performance.now() - t0, finals, sessionEnd };
  } finally {
    recorder.dispose();
  }
}
