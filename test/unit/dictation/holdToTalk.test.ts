import * as assert from 'assert';
import { FIRST_REPEAT_MAX_MS, HoldToTalk, REPEAT_GAP_MS, Timers } from '../../../src/dictation/holdToTalk';

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
  const tap = (at: number) => {
    clock.advanceTo(at);
    key.press();
  };
  return { clock, dictation, key, hold, tap };
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
});
