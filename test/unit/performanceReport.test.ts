import * as assert from 'assert';
import { engineStages, reportJson, reportMarkdown, reportPrometheus, type PerformanceReport } from '../../src/performanceReport';

const report = (r: Partial<PerformanceReport> = {}): PerformanceReport => ({
  generatedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
  machine: { cpu: 'AMD EPYC 7B13', cores: 2, os: 'Linux 6.8 (x64)', memoryBytes: 8 * 1073741824 },
  model: 'tiny',
  encoderWindow: 'variable',
  profile: 'fast',
  scope: '16 utterances since 14:02:11',
  stages: { encoder: { count: 16, p50: 53.2, p95: 88.04, p99: 90 }, 'first partial': { count: 12, p50: 1210, p95: 3636, p99: 3700 } },
  felt: { count: 16, p50: 712, p95: 1640, p99: 1700 },
  realTimeFactor: 0.0412,
  cpuPercent: 3.24,
  rssBytes: 300 * 1048576,
  ...r,
});

describe('performance report (src/performanceReport.ts)', () => {
  it('Markdown: machine, model, profile, felt latency, RTF, CPU, RSS, and a stage table in units a person reads', () => {
    const md = reportMarkdown(report());
    for (const s of [
      'AMD EPYC 7B13, 2 cores, 8.0 GB, Linux 6.8 (x64)',
      'Whisper tiny, variable window, profile fast',
      'p50 712 ms, p95 1.6 s (n=16)',
      '0.041',
      '3.2 % of one core',
      '300 MB',
      '| encoder | 53 ms | 88 ms | 16 |',
      '| first partial | 1.2 s | 3.6 s | 12 |',
    ])
      assert.ok(md.includes(s), `missing "${s}" in\n${md}`);
  });

  it('Markdown says what is missing instead of printing nothing', () => {
    const md = reportMarkdown(
      report({ felt: undefined, stages: {}, realTimeFactor: undefined, cpuPercent: undefined, rssBytes: undefined }),
    );
    assert.match(md, /Felt latency.*nothing dictated live/);
    assert.match(md, /No stage has been timed yet/);
    assert.match(md, /not measured/);
  });

  it('JSON: the same figures, ms rounded to 0.1, nulls for what is missing', () => {
    const j = reportJson(report({ felt: undefined })) as Record<string, unknown>;
    assert.deepStrictEqual((j.stagesMs as Record<string, unknown>).encoder, { count: 16, p50: 53.2, p95: 88, p99: 90 });
    assert.strictEqual(j.feltLatencyMs, null);
    assert.strictEqual(j.cpuPercent, 3.2);
    assert.strictEqual(j.generatedAt, '2025-01-02T03:04:05.000Z');
  });

  it('Prometheus: summaries with quantile labels, _count, gauges, and escaped label values', () => {
    const text = reportPrometheus(report({ machine: { cpu: 'CPU "X" \\ 2', cores: 2, os: 'Linux', memoryBytes: 1 } }));
    const lines = text.trimEnd().split('\n');
    assert.ok(lines.includes('voiceflow_stage_latency_ms{stage="encoder",quantile="0.5"} 53.2'), text);
    assert.ok(lines.includes('voiceflow_stage_latency_ms{stage="encoder",quantile="0.95"} 88'), text);
    assert.ok(lines.includes('voiceflow_stage_latency_ms_count{stage="encoder"} 16'), text);
    assert.ok(lines.includes('voiceflow_stage_latency_ms{stage="first_partial",quantile="0.99"} 3700'), text);
    assert.ok(lines.includes('voiceflow_felt_latency_ms{quantile="0.5"} 712'), text);
    assert.ok(lines.includes('voiceflow_felt_latency_ms_count 16'), text);
    assert.ok(lines.includes('voiceflow_engine_resident_memory_bytes 314572800'), text);
    assert.ok(lines.includes('# TYPE voiceflow_stage_latency_ms summary'), text);
    assert.ok(
      lines.some((l) => l.startsWith('voiceflow_info{') && l.includes('cpu="CPU \\"X\\" \\\\ 2"') && l.endsWith(' 1')),
      text,
    );
    // Every sample line is a metric name, optional labels and a number.
    for (const l of lines.filter((l) => !l.startsWith('#'))) assert.match(l, /^[a-z_]+(\{.*\})? -?\d+(\.\d+)?$/, l);
    // One HELP and TYPE per metric family.
    assert.strictEqual(lines.filter((l) => l === '# TYPE voiceflow_stage_latency_ms summary').length, 1);
  });

  it('Prometheus leaves out what was not measured', () => {
    const text = reportPrometheus(report({ felt: undefined, realTimeFactor: undefined }));
    assert.ok(!/voiceflow_felt_latency_ms|voiceflow_real_time_factor/.test(text), text);
  });

  it("the engine's stage names map to the report's, untimed stages left out", () => {
    const p = { count: 3, p50: 1, p95: 2, p99: 3 };
    assert.deepStrictEqual(
      Object.keys(engineStages({ stages: { encoderMs: p, captureMs: p, tokens: p, firstPartialMs: { ...p, count: 0 } } })),
      ['capture', 'encoder'],
    );
  });
});
