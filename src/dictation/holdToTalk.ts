/**
 * One key for both ways of dictating: a tap on the toggle key starts dictation and the next tap stops it; holding the
 * key dictates until it is released. VS Code tells an extension nothing of key-up, but a held key auto-repeats (after
 * the system's repeat delay, ~250-660 ms, then every ~30-40 ms) and every repeat runs the command again.
 *
 * A press long after the last one is a fresh press: it starts or stops dictation at once. A press soon after the last
 * one may be that key's first repeat, so it waits REPEAT_GAP_MS for another: if one comes, the key is held, and when
 * the repeats end (the release) dictation stops if the hold started it; if none comes, it was a second tap.
 * Pure (no vscode): the clock and the timer are injected, for the tests.
 */

/**
 * Longest gap between two auto-repeats of a held key, ms. Systems repeat every 30-40 ms by default (X11 25 Hz,
 * Windows ~30 Hz); the rest is room for the command's trip from the window to a busy extension host: at 150 ms a
 * hold in the UI test ended early on a loaded machine (docs/decisions.md, "Hold to talk").
 */
export const REPEAT_GAP_MS = 300;
/** Longest wait from a press to its first auto-repeat (system repeat delays are 250-660 ms by default, at most 1 s). */
export const FIRST_REPEAT_MAX_MS = 1000;
/** The release is taken after this many repeat intervals without a repeat (the interval as measured on this key)... */
const RELEASE_INTERVALS = 3;
/**
 * ...but never sooner than this after the last repeat, ms (bunched repeats are not a rate; a busy extension host
 * delays some by 100 ms and more), nor later than REPEAT_GAP_MS.
 */
const MIN_RELEASE_MS = 250;
/** Repeat intervals kept to measure the key's rate. */
const MAX_GAPS = 8;

export interface HoldToTalkTarget {
  dictating(): boolean;
  start(): void;
  stop(): void;
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type KeyState = 'up' | 'deciding' | 'held';

export class HoldToTalk {
  private state: KeyState = 'up';
  private last = -Infinity;
  /** What the last fresh press did: a hold stops at its release only what its own press started. */
  private pressed: 'started' | 'stopped' = 'stopped';
  /** Intervals between the repeats of the current hold, ms. */
  private readonly gaps: number[] = [];
  private timer: unknown;

  constructor(
    private readonly target: HoldToTalkTarget,
    private readonly timers: Timers = {
      now: () => performance.now(),
      setTimeout: (f, ms) => setTimeout(f, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
  ) {}

  get keyState(): KeyState {
    return this.state;
  }

  /** The toggle key's command ran: a press, or one of its auto-repeats. */
  press(): void {
    const now = this.timers.now();
    const gap = now - this.last;
    this.last = now;
    if (this.state === 'held') {
      this.gaps.push(gap);
      if (this.gaps.length > MAX_GAPS) this.gaps.shift();
      this.arm(this.releaseAfterMs(), () => this.release());
    } else if (this.state === 'deciding' || gap <= REPEAT_GAP_MS) {
      // Repeats: the key is held.
      this.state = 'held';
      this.gaps.length = 0;
      this.gaps.push(gap);
      this.arm(this.releaseAfterMs(), () => this.release());
    } else if (gap <= FIRST_REPEAT_MAX_MS) {
      // A second tap, or the first repeat of the key held since the last press: the next few tens of ms tell.
      this.state = 'deciding';
      this.arm(REPEAT_GAP_MS, () => {
        this.state = 'up';
        this.toggle();
      });
    } else {
      this.toggle();
    }
  }

  dispose(): void {
    this.timers.clearTimeout(this.timer);
  }

  private toggle(): void {
    this.timer = undefined;
    if (this.target.dictating()) {
      this.pressed = 'stopped';
      this.target.stop();
    } else {
      this.pressed = 'started';
      this.target.start();
    }
  }

  /** The repeats ended: the key is up. */
  private release(): void {
    this.timer = undefined;
    this.state = 'up';
    if (this.pressed === 'started') {
      this.pressed = 'stopped';
      this.target.stop();
    }
  }

  private releaseAfterMs(): number {
    const sorted = [...this.gaps].sort((a, b) => a - b);
    const interval = sorted[Math.floor(sorted.length / 2)];
    return Math.min(REPEAT_GAP_MS, Math.max(MIN_RELEASE_MS, RELEASE_INTERVALS * interval));
  }

  private arm(ms: number, fn: () => void): void {
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(fn, ms);
  }
}
