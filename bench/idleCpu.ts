/**
 * Idle CPU: a `listen` session fed 30 s of silence at real-time pace. The first `metrics` call right after start
 * resets the engine's CPU window; the second, when the session ends, reports CPU over the whole session.
 */
import { EngineClient } from '../src/engineClient';
import { SessionEndNotification } from '../src/protocol';

export interface IdleCpuResult {
  /** Engine CPU over the session, percent of one core. */
  cpuPercent: number;
  wallMs: number;
  /** Non-empty finals heard in the silence (should be none). */
  finals: string[];
  sessionEnd: SessionEndNotification;
}

export async function measureIdleCpu(client: EngineClient, silencePath: string, seconds: number): Promise<IdleCpuResult> {
  const finals: string[] = [];
  client.onFinal((n) => {
    if (n.text) finals.push(n.text);
  });
  const ended = new Promise<SessionEndNotification>((resolve) => client.onSessionEnd(resolve));
  const timeoutMs = (seconds + 60) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The listen session did not end within ${timeoutMs / 1000} s.`)), timeoutMs);
  });
  const t0 = performance.now();
  await client.start({ source: { kind: 'file', path: silencePath, realtime: true } });
  await client.metrics(); // resets the CPU window
  try {
    const sessionEnd = await Promise.race([ended, timeout]);
    const m = await client.metrics();
    return { cpuPercent: m.cpuPercent, wallMs: performance.now() - t0, finals, sessionEnd };
  } catch (err) {
    await client.stop().catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
