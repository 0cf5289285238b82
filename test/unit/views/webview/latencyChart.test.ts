import * as assert from 'assert';
import { CHART_HEIGHT, CHART_MIN_MAX_MS, CHART_PADDING, CHART_WIDTH, latencyChart } from '../../../../src/views/webview/latencyChart';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);
const bottom = CHART_HEIGHT - CHART_PADDING;

describe('latency chart (src/views/webview/latencyChart.ts)', () => {
  it('with no utterances: the axis along the bottom of the plot, a 110 ms scale, no points', () => {
    const c = latencyChart([]);
    assert.deepStrictEqual([c.axisX1, c.axisX2, c.axisY], [CHART_PADDING, CHART_WIDTH - CHART_PADDING, bottom]);
    close(c.maxMs, CHART_MIN_MAX_MS * 1.1, 'max');
    assert.strictEqual(c.label, '110 ms');
    assert.deepStrictEqual(c.points, []);
  });

  it('one utterance sits at the left edge of the plot', () => {
    const c = latencyChart([704]);
    assert.strictEqual(c.label, '774 ms');
    assert.strictEqual(c.points.length, 1);
    close(c.points[0].x, CHART_PADDING, 'x');
    close(c.points[0].y, bottom - (704 / (704 * 1.1)) * (CHART_HEIGHT - 2 * CHART_PADDING), 'y');
  });

  it('points spread over the plot width, oldest left; the slowest stays below the top, 0 ms on the axis', () => {
    const c = latencyChart([0, 500, 1000]);
    assert.deepStrictEqual(
      c.points.map((p) => p.x),
      [CHART_PADDING, CHART_WIDTH / 2, CHART_WIDTH - CHART_PADDING],
    );
    close(c.maxMs, 1100, 'max');
    close(c.points[0].y, bottom, '0 ms');
    assert.ok(c.points[2].y > CHART_PADDING && c.points[2].y < c.points[1].y && c.points[1].y < bottom, 'higher latency is higher up');
  });

  it('fast utterances keep the 100 ms floor of the scale', () => {
    const c = latencyChart([10, 20]);
    close(c.maxMs, 110, 'max');
    close(c.points[1].y, bottom - (20 / 110) * (CHART_HEIGHT - 2 * CHART_PADDING), 'y');
  });
});
