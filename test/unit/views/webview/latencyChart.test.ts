import * as assert from 'assert';
import {
  CHART_BOTTOM,
  CHART_LEFT,
  CHART_MIN_MAX_MS,
  CHART_RIGHT,
  CHART_TOP,
  clockTime,
  latencyChart,
} from '../../../../src/views/webview/latencyChart';

const W = 600;
const H = 170;
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);
const bottom = H - CHART_BOTTOM;
const T0 = new Date(2025, 0, 2, 14, 2, 11).getTime();

describe('latency chart (src/views/webview/latencyChart.ts)', () => {
  it('with no utterances: the plot in its margins, labelled 0 and its top, no time labels, no points', () => {
    const c = latencyChart([], W, H);
    assert.deepStrictEqual([c.left, c.right, c.top, c.bottom], [CHART_LEFT, W - CHART_RIGHT, CHART_TOP, bottom]);
    close(c.maxMs, CHART_MIN_MAX_MS * 1.1, 'max');
    assert.deepStrictEqual(
      c.labels.map((l) => l.text),
      ['110 ms', '0'],
    );
    assert.deepStrictEqual(c.points, []);
  });

  it('points sit at the time of their utterance, the first and last times label the x axis', () => {
    const c = latencyChart(
      [
        { at: T0, ms: 700 },
        { at: T0 + 30_000, ms: 1400 },
        { at: T0 + 120_000, ms: 0 },
      ],
      W,
      H,
    );
    close(c.points[0].x, CHART_LEFT, 'first x');
    close(c.points[1].x, CHART_LEFT + (W - CHART_RIGHT - CHART_LEFT) / 4, 'x by time');
    close(c.points[2].x, W - CHART_RIGHT, 'last x');
    close(c.points[2].y, bottom, '0 ms on the axis');
    assert.ok(c.points[1].y < c.points[0].y && c.points[1].y > CHART_TOP, 'higher latency is higher up, below the top');
    assert.deepStrictEqual(
      c.labels.map((l) => l.text),
      ['1.5 s', '0', '14:02:11', '14:04:11'],
    );
  });

  it('one utterance: at the left edge, one time label', () => {
    const c = latencyChart([{ at: T0, ms: 704 }], W, H);
    assert.strictEqual(c.points.length, 1);
    close(c.points[0].x, CHART_LEFT, 'x');
    assert.deepStrictEqual(
      c.labels.map((l) => l.text),
      ['774 ms', '0', clockTime(T0)],
    );
  });

  it('the warning budget is drawn only when it is within the scale', () => {
    assert.strictEqual(latencyChart([{ at: T0, ms: 700 }], W, H, 0).budgetY, undefined);
    assert.strictEqual(latencyChart([{ at: T0, ms: 700 }], W, H, 1000).budgetY, undefined);
    const c = latencyChart([{ at: T0, ms: 1500 }], W, H, 1000);
    close(c.budgetY!, bottom - (1000 / 1650) * (bottom - CHART_TOP), 'budget y');
  });

  it('fast utterances keep the 100 ms floor of the scale', () => {
    close(latencyChart([{ at: T0, ms: 10 }], W, H).maxMs, 110, 'max');
  });
});
