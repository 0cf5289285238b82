/**
 * How much CPU other processes took while the benchmark ran (Linux only): system busy time from /proc/stat minus
 * the time of this process and its reaped children (the engines) from /proc/self/stat. On a shared 2-core machine
 * this tells whether a latency was measured under contention.
 */
import * as fs from 'fs';

export interface CpuSample {
  /** All /proc/stat cpu time, idle included, summed over cores (clock ticks). */
  total: number;
  busy: number;
  steal: number;
  /** This process plus its waited-for children. */
  ours: number;
}

export interface Contention {
  /** CPU used by other processes, percent of one core, averaged over the interval. */
  otherCpuPercent: number;
  /** CPU stolen by the hypervisor, percent of one core. */
  stealPercent: number;
}

export function sampleCpu(): CpuSample | undefined {
  try {
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
    // Fields after the command (which may contain spaces), from the closing parenthesis: utime is field 14.
    const self = fs.readFileSync('/proc/self/stat', 'utf8');
    const rest = self
      .slice(self.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const [utime, stime, cutime, cstime] = rest.slice(11, 15);
    return {
      total: user + nice + system + idle + iowait + irq + softirq + steal,
      busy: user + nice + system + irq + softirq,
      steal,
      ours: utime + stime + cutime + cstime,
    };
  } catch {
    return undefined;
  }
}

export function contentionBetween(a: CpuSample | undefined, b: CpuSample | undefined, cpus: number): Contention | undefined {
  if (!a || !b || b.total <= a.total) return undefined;
  const perCore = (ticks: number) => (Math.max(0, ticks) / (b.total - a.total)) * cpus * 100;
  return { otherCpuPercent: perCore(b.busy - a.busy - (b.ours - a.ours)), stealPercent: perCore(b.steal - a.steal) };
}
