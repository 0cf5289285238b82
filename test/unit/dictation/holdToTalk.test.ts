import * as assert from 'assert';
import { FIRST_REPEAT_MAX_MS, HoldToTalk, MAX_RELEASE_MS, REPEAT_GAP_MS, Timers } from '../../../src/dictation/holdToTalk';

/** A clock the test moves by hand, with the timers due by then run in order. */
class FakeClock implements Timers {
  t = 0;
  private next = 1;
  private readonly due = new Map<number, { at: number; fn: () => void }>();
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.due.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown) => void this.due.delete(id as number);
  advanceTo(t: number): void {
    for (;;) {
      const [id, first] = [...this.due.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (!first || first.at > t) break;
      this.due.delete(id!);
      this.t = first.at;
      first.fn();
    }
    this.t = t;
  }
}

/** The dictation the key drives, recording what it was told and when. */
class Dictation {
  on = false;
  readonly calls: string[] = [];
  constructor(private readonly clock: FakeClock) {}
  dictating = () => this.on;
  start = () => {
    this.calls.push(`start@${this.clock.t}`);
    this.on = true;
  };
  stop = () => {
    this.calls.push(`stop@${this.clock.t}`);
    this.on = false;
  };
}

function setup() {
  const clock = new FakeClock();
  const dictation = new Dictation(clock);
  const key = new HoldToTalk(dictation, clock);
  /** The key held from `at` for `ms`: the press, then auto-repeats after `delay` every `interval` (an OS's repeat). */
  const hold = (at: number, ms: number, delay = 500, interval = 33) => {
    clock.advanceTo(at);
    key.press();
    for (let t = at + delay; t <= at + ms; t += interval) {
      clock.advanceTo(t);
      key.press();
    }
  };
  /** Key presses at these times (a press, then repeats with whatever gaps the test wants). */
  const presses = (times: number[]) => {
    for (const t of times) {
      clock.advanceTo(t);
      key.press();
    }
  };
  const tap = (at: number) => {
    clock.advanceTo(at);
    key.press();
  };
  return { clock, dictation, key, hold, tap, presses };
}

describe('hold to talk (src/dictation/holdToTalk.ts)', () => {
  it('a tap starts dictation at once; a tap later stops it at once', () => {
    const { clock, dictation, tap } = setup();
    tap(1000);
    assert.deepStrictEqual(dictation.calls, ['start@1000']);
    clock.advanceTo(5000);
    assert.deepStrictEqual(dictation.calls, ['start@1000'], 'a tap leaves dictation on');
    tap(5000);
    clock.advanceTo(9000);
    assert.deepStrictEqual(dictation.calls, ['start@1000', 'stop@5000']);
  });

  it('holding dictates from the press until the repeats end, then stops within REPEAT_GAP_MS of the last one', () => {
    const { clock, dictation, hold, key } = setup();
    hold(1000, 3000);
    assert.deepStrictEqual(dictation.calls, ['start@1000'], 'the repeats neither stop nor restart it');
    assert.strictEqual(key.keyState, 'held');
    const lastRepeat = 1000 + 500 + Math.floor(2500 / 33) * 33;
    clock.advanceTo(10000);
    assert.strictEqual(dictation.calls.length, 2);
    const stoppedAt = Number(dictation.calls[1].split('@')[1]);
    assert.ok(
      stoppedAt - lastRepeat >= 99 && stoppedAt - lastRepeat <= REPEAT_GAP_MS,
      `stopped ${stoppedAt - lastRepeat} ms after the last repeat`,
    );
    assert.strictEqual(key.keyState, 'up');
  });

  it("measures the key's own repeat rate: a slow repeat (90 ms) is not taken for a release", () => {
    const { clock, dictation, hold } = setup();
    hold(0, 2000, 400, 90);
    assert.deepStrictEqual(dictation.calls, ['start@0']);
    clock.advanceTo(4000);
    assert.strictEqual(dictation.calls.length, 2);
  });

  it('a second tap soon after the first (within the first-repeat delay) stops dictation once the repeats fail to come', () => {
    const { clock, dictation, tap } = setup();
    tap(0);
    tap(400);
    clock.advanceTo(400 + REPEAT_GAP_MS - 1);
    assert.deepStrictEqual(dictation.calls, ['start@0'], 'not before a repeat could have come');
    clock.advanceTo(2000);
    assert.deepStrictEqual(dictation.calls, ['start@0', `stop@${400 + REPEAT_GAP_MS}`]);
  });

  it('holding the key while dictating stops at the press and its repeats do not start it again', () => {
    const { clock, dictation, hold, tap } = setup();
    tap(0);
    hold(5000, 2000);
    clock.advanceTo(9000);
    assert.deepStrictEqual(dictation.calls, ['start@0', 'stop@5000']);
    tap(9000 + FIRST_REPEAT_MAX_MS + 1);
    assert.strictEqual(dictation.calls.length, 3, 'the next tap starts it');
  });

  it('dictation that ended by itself during a hold is not restarted by the repeats', () => {
    const { clock, dictation, key } = setup();
    clock.advanceTo(0);
    key.press();
    dictation.on = false; // the engine failed to start, or the source ended
    for (let t = 500; t <= 2000; t += 33) {
      clock.advanceTo(t);
      key.press();
    }
    clock.advanceTo(3000);
    assert.deepStrictEqual(
      dictation.calls.filter((c) => c.startsWith('start')),
      ['start@0'],
    );
  });

  it('a tap after dictation was stopped some other way (Escape) starts it again', () => {
    const { dictation, tap } = setup();
    tap(0);
    dictation.on = false;
    tap(3000);
    assert.deepStrictEqual(dictation.calls, ['start@0', 'start@3000']);
  });

  /** Repeats every 33 ms from `from` to `to`. */
  const every33 = (from: number, to: number) => Array.from({ length: Math.floor((to - from) / 33) + 1 }, (_, i) => from + i * 33);

  it('a repeat that comes after the release was taken (a stalled host): dictation starts again at once, and the hold goes on', () => {
    const { clock, dictation, presses, key } = setup();
    const first = [0, ...every33(500, 2000)];
    const last = first[first.length - 1];
    presses(first);
    clock.advanceTo(last + 400); // the host stalls: the release is taken 250 ms after the last repeat
    assert.deepStrictEqual(dictation.calls, ['start@0', `stop@${last + 250}`]);
    // The repeats were only late: the first arrives 400 ms after the one before, then they go on.
    presses(every33(last + 400, 4000));
    assert.deepStrictEqual(dictation.calls, ['start@0', `stop@${last + 250}`, `start@${last + 400}`], 'started again at the late repeat');
    assert.strictEqual(key.keyState, 'held');
    clock.advanceTo(4000 + 500);
    assert.strictEqual(dictation.calls.length, 4, 'the real release stops it');
    const stoppedAt = Number(dictation.calls[3].split('@')[1]);
    assert.ok(stoppedAt > every33(last + 400, 4000).pop()! + 400, 'the release now waits out a gap like the stall (1.25 x 400 ms)');
    assert.ok(stoppedAt <= 4000 + MAX_RELEASE_MS);
  });

  it('a tap soon after a hold was released starts dictation again and leaves it on', () => {
    const { clock, dictation, presses, tap } = setup();
    const held = [0, ...every33(500, 2000)];
    presses(held);
    clock.advanceTo(held[held.length - 1] + 300);
    assert.strictEqual(dictation.calls.length, 2);
    tap(held[held.length - 1] + 700);
    clock.advanceTo(6000);
    assert.deepStrictEqual(dictation.calls.slice(2), [`start@${held[held.length - 1] + 700}`], 'on, and not stopped');
  });

  it('after a long gap survived in a hold, a gap as long is not taken for a release', () => {
    const { clock, dictation, presses } = setup();
    // Steady repeats with one 240 ms gap (under the 250 ms wait), then one of 290 ms (over it, under 1.25 x 240).
    const times = [0, ...every33(500, 1500)];
    times.push(times[times.length - 1] + 240, ...every33(times[times.length - 1] + 273, 2500));
    times.push(times[times.length - 1] + 290, ...every33(times[times.length - 1] + 323, 3500));
    presses(times);
    assert.deepStrictEqual(dictation.calls, ['start@0'], 'held throughout');
    clock.advanceTo(5000);
    assert.strictEqual(dictation.calls.length, 2);
  });
});
