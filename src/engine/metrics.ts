import { summarize } from '../percentiles';
import { MetricsResult, Percentiles } from '../protocol';

/** How many recent values each stage keeps for its percentiles. */
const WINDOW = 1000;
const CPU_SAMPLE_MS = 1000;

/** Recent timings per stage (a fixed window each), plus the process's RSS and CPU. */
export class EngineMetrics {
  ringOverruns = 0;
  clippedSamples = 0;
  utterances = 0;
  private readonly stages = new Map<string, { values: Float64Array; count: number }>();
  private readonly started = performance.now();
  private lastCpu = process.cpuUsage();
  private lastCpuAt = performance.now();
  /** CPU over the last second, sampled by a timer: what "now" means for a meter. */
  private recentCpu = 0;
  private readonly sampler: NodeJS.Timeout;

  constructor() {
    let prev = process.cpuUsage();
    let prevAt = performance.now();
    this.sampler = setInterval(() => {
      const now = performance.now();
      const used = process.cpuUsage(prev);
      this.recentCpu = ((used.user + used.system) / 1000 / (now - prevAt)) * 100;
      prev = process.cpuUsage();
      prevAt = now;
    }, CPU_SAMPLE_MS);
    this.sampler.unref();
  }

  record(stage: string, value: number): void {
    let s = this.stages.get(stage);
    if (!s) {
      s = { values: new Float64Array(WINDOW), count: 0 };
      this.stages.set(stage, s);
    }
    s.values[s.count % WINDOW] = value;
    s.count++;
  }

  /** Records every numeric field of a timings object under its name. */
  recordAll(timings: object): void {
    for (const [k, v] of Object.entries(timings)) if (typeof v === 'number') this.record(k, v);
  }

  /** CPU used since the previous call, percent of one core. */
  cpuPercent(): number {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const wallMs = now - this.lastCpuAt;
    this.lastCpu = process.cpuUsage();
    this.lastCpuAt = now;
    return wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : 0;
  }

  snapshot(): MetricsResult {
    const stages: Record<string, Percentiles> = {};
    for (const [name, s] of this.stages) stages[name] = summarize(s.values.subarray(0, Math.min(s.count, WINDOW)));
    return {
      stages,
      rssBytes: process.memoryUsage().rss,
      cpuPercent: this.cpuPercent(),
      recentCpuPercent: this.recentCpu,
      uptimeMs: performance.now() - this.started,
      ringOverruns: this.ringOverruns,
      clippedSamples: this.clippedSamples,
      utterances: this.utterances,
    };
  }
}
