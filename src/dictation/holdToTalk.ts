/**
 * One key for both ways of dictating: a tap on the toggle key starts dictation and the next tap stops it; holding the
 * key dictates until it is released. VS Code tells an extension nothing of key-up, but a held key auto-repeats (after
 * the system's repeat delay, ~250-660 ms, then every ~30-40 ms) and every repeat runs the command again.
 *
 * A press long after the last one is a fresh press: it starts or stops dictation at once. A press soon after the last
 * one may be that key's first repeat, so it waits REPEAT_GAP_MS for another: if one comes, the key is held, and when
 * the repeats end (the release) dictation stops if the hold started it; if none comes, it was a second tap.
 * The release is a guess: a stalled extension host gets the repeats late, all at once. The wait grows with the longest
 * gap seen in the hold, and a repeat soon after a release that stopped dictation starts it again at once.
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
 * delays some by 100 ms and more)...
 */
const MIN_RELEASE_MS = 250;
/**
 * ...nor sooner than this many times the longest gap already seen in this hold (a host that stalled once in a hold
 * stalls again: the release waits that out), nor later than MAX_RELEASE_MS.
 */
const LONGEST_GAP_FACTOR = 1.25;
export const MAX_RELEASE_MS = 600;
/** Repeat intervals kept to measure the key's rate. */
const MAX_GAPS = 8;

export interface HoldToTalkTarget {
  dictating(): boolean;
  start(): void;
  stop(): void;
  /** What the key did that the user did not see directly (a release taken, a hold that went on), for the log. */
  note?(message: string): void;
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
  /** The longest interval between two repeats of the current hold, ms. */
  private longest = 0;
  private repeats = 0;
  /** The last release was taken by the timer and stopped the dictation its hold started. */
  private stoppedAtRelease = false;
  /** The press being decided started dictation again after such a release (a late repeat, or a new tap). */
  private resumed = false;
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
    const afterRelease = this.stoppedAtRelease;
    this.stoppedAtRelease = false;
    if (this.state === 'held') {
      this.repeat(gap);
    } else if (this.state === 'deciding') {
      // The first repeat was followed by another: the key is held (after a resume, the same hold goes on).
      if (!this.resumed) this.newHold();
      this.state = 'held';
      this.repeat(gap);
    } else if (afterRelease && gap <= FIRST_REPEAT_MAX_MS) {
      // Soon after a release that stopped dictation: the key may never have been released (its repeats were late
      // reaching this host), or this is a new tap. Either way the user wants dictation on, and at once: a hold goes
      // on, its real release stops it; a tap leaves it on.
      this.state = 'deciding';
      this.resumed = true;
      this.longest = Math.max(this.longest, gap);
      this.pressed = 'started';
      this.target.start();
      this.arm(REPEAT_GAP_MS, () => {
        this.state = 'up';
        this.resumed = false;
        this.pressed = 'stopped';
      });
    } else if (gap <= REPEAT_GAP_MS) {
      // The key's first repeat, this soon after the press: the key is held (that delay is not a repeat interval).
      this.newHold();
      this.state = 'held';
      this.arm(MIN_RELEASE_MS, () => this.release());
    } else if (gap <= FIRST_REPEAT_MAX_MS) {
      // A second tap, or the first repeat of the key held since the last press: the next few tens of ms tell.
      this.state = 'deciding';
      this.resumed = false;
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

  private newHold(): void {
    this.gaps.length = 0;
    this.longest = 0;
    this.repeats = 0;
  }

  private repeat(gap: number): void {
    if (this.resumed) {
      this.resumed = false;
      this.target.note?.(
        `The toggle key was still held (a repeat came ${Math.round(this.longest)} ms after the one before): dictation goes on.`,
      );
    }
    this.repeats++;
    this.gaps.push(gap);
    if (this.gaps.length > MAX_GAPS) this.gaps.shift();
    this.longest = Math.max(this.longest, gap);
    this.arm(this.releaseAfterMs(), () => this.release());
  }

  /** The repeats ended: the key is up. */
  private release(): void {
    this.timer = undefined;
    this.state = 'up';
    if (this.pressed === 'started') {
      this.pressed = 'stopped';
      this.stoppedAtRelease = this.target.dictating();
      this.target.note?.(
        `Toggle key released (no repeat for ${Math.round(this.timers.now() - this.last)} ms after ${this.repeats} repeats, ` +
          `every ${Math.round(this.interval())} ms, the longest gap ${Math.round(this.longest)} ms): dictation stops.`,
      );
      this.target.stop();
    }
  }

  /** The key's repeat interval: the median of the last few, ms. */
  private interval(): number {
    const sorted = [...this.gaps].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? 0;
  }

  /** How long after the last repeat the key is taken as released, ms. */
  private releaseAfterMs(): number {
    const wait = Math.max(MIN_RELEASE_MS, RELEASE_INTERVALS * this.interval(), LONGEST_GAP_FACTOR * this.longest);
    return Math.min(MAX_RELEASE_MS, wait);
  }

  private arm(ms: number, fn: () => void): void {
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(fn, ms);
  }
}
