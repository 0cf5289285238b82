/** Durations as a person reads them: whole milliseconds under a second, seconds with one decimal above. No vscode import. */

export function formatDuration(ms: number): string {
  const whole = Math.round(ms);
  if (Math.abs(whole) < 1000) return `${whole} ms`;
  const s = ms / 1000;
  return `${Math.abs(s) < 100 ? s.toFixed(1) : Math.round(s)} s`;
}
