import * as assert from 'assert';
import { parseWhisperCppOutput, whisperCppMode, whisperCppSkipped } from '../../../bench/whispercppOutput';

const OUT = [
  'load ms 120 ggml-tiny-onnxq8.bin',
  '{"file":"001.wav","sec":1.1,"ms":210,"rtf":0.191,"text":"10 of clubs.","audio_ctx":1500,"runs":[400,210,200,220],"busy_other":0.05}',
  'whisper_init_from_file: some log line',
  '{"file":"silence.wav","sec":30,"ms":500,"rtf":0.017,"text":"","audio_ctx":1500,"runs":[600,500],"busy_other":0.5}',
  'rss MB now 230.5 peak 264.1',
  '',
].join('\n');

const CLIPS = [
  { name: 'cards/001.wav', path: '/audio/cards/001.wav', kind: 'speech' as const, seconds: 1.1, reference: 'ten of clubs' },
  { name: '(generated) silence.wav', path: '/tmp/x/silence.wav', kind: 'silence' as const, seconds: 30 },
];

describe('bench/whispercppOutput', () => {
  it('reads the load line, the JSON lines and the RSS line, and skips the rest', () => {
    const o = parseWhisperCppOutput(OUT);
    assert.strictEqual(o.loadMs, 120);
    assert.strictEqual(o.model, 'ggml-tiny-onnxq8.bin');
    assert.deepStrictEqual(o.rssMb, { now: 230.5, peak: 264.1 });
    assert.strictEqual(o.lines.length, 2);
    assert.deepStrictEqual(o.lines[0], {
      file: '001.wav',
      sec: 1.1,
      ms: 210,
      text: '10 of clubs.',
      audioCtx: 1500,
      runs: [400, 210, 200, 220],
      busyOther: 0.05,
    });
  });

  it('says what is wrong with output it cannot read', () => {
    assert.throws(() => parseWhisperCppOutput('{"file":"a.wav"}'), /no "load ms" line|without/);
    assert.throws(
      () => parseWhisperCppOutput('load ms 5 x.bin\n{"file":"a.wav","sec":1,"ms":1,"text":"","audio_ctx":1500,"runs":[],"busy_other":0}'),
      /without file, text or runs/,
    );
    assert.throws(
      () => parseWhisperCppOutput('load ms 5 x.bin\n{"file":"a.wav","sec":1,"text":"","audio_ctx":1500,"runs":[1],"busy_other":0}'),
      /number "ms"/,
    );
    assert.throws(() => parseWhisperCppOutput('load ms 5 x.bin\n{not json'), /not JSON/);
    assert.strictEqual(parseWhisperCppOutput('load ms 5 x.bin').rssMb, undefined);
  });

  it("drops each file's warm-up runs and summarizes like the other peer", () => {
    const m = whisperCppMode('full', '0', CLIPS, parseWhisperCppOutput(OUT), 1);
    assert.deepStrictEqual(m.clips[0].runs.runsMs, [210, 200, 220]);
    assert.strictEqual(m.clips[0].runs.warmupMs, 400);
    assert.strictEqual(m.clips[0].runs.medianMs, 210);
    assert.strictEqual(m.summary.wer.wer, 0);
    assert.strictEqual(m.summary.p50Ms, 210);
    assert.strictEqual(m.summary.shortP50Ms, 210);
    assert.strictEqual(m.summary.silenceWords, 0);
    assert.strictEqual(m.loadMs, 120);
    assert.strictEqual(m.rssPeakMb, 264.1);
    assert.deepStrictEqual(m.busyOther, { mean: 0.275, max: 0.5 });
  });

  it('refuses results that do not line up with the clips', () => {
    const o = parseWhisperCppOutput(OUT);
    assert.throws(() => whisperCppMode('full', '0', CLIPS.slice(0, 1), o, 1), /2 results for 1 files/);
    assert.throws(() => whisperCppMode('full', '0', [CLIPS[1], CLIPS[0]], o, 1), /answered 001.wav/);
    assert.throws(() => whisperCppMode('full', '0', CLIPS, o, 2), /2 of them warm-ups/);
  });

  it('tells a skipped peer from a result', () => {
    assert.ok(whisperCppSkipped({ skipped: 'no network' }));
    assert.ok(!whisperCppSkipped({ model: 'tiny', binding: 'b', ggml: 'g', threads: 2, runs: 1, modes: [] }));
  });
});

describe('bench/report peersTables', () => {
  it('says in one line why whisper.cpp did not run, and nothing when the section was not asked for', async () => {
    const { peersTables } = await import('../../../bench/report');
    const m = {
      model: 'tiny',
      whisperCpp: { skipped: 'setup.sh failed (exit 1): npm ERR! network' },
    } as unknown as import('../../../bench/results').ModelResult;
    assert.deepStrictEqual(peersTables(m), ['whisper.cpp: not run (setup.sh failed (exit 1): npm ERR! network).', '']);
    assert.deepStrictEqual(peersTables({ ...m, whisperCpp: undefined }), []);
  });
});
