import * as assert from 'assert';
import { Utterance, UtteranceSegmenter } from '../../../../src/engine/live/segmenter';
import { SpeculativeTranscriber, tentativeAfter } from '../../../../src/engine/live/streaming';
import { SpeechEvidence } from '../../../../src/engine/whisper/guards';
import { Whisper, WhisperResult } from '../../../../src/engine/whisper/whisper';

describe('partials: the tentative text after the committed text', () => {
  const table: [string, string, string, string][] = [
    ['', 'And so my fellow', 'And so my fellow', 'nothing committed: the whole pass'],
    ['And so my fellow', 'And so my fellow Americans, ask', 'Americans, ask', 'the pass goes on from the committed words'],
    ['ask what you can do for you,', 'Ask what you can do for your country', 'country', 'read differently ("Ask", "your"): never the committed words twice'],
    ['ask what you can do for you,', 'ask what you can do for you, ask what you can do', 'ask what you can do', 'a real repeat after the committed words stays'],
    ['ask what you can do', 'ask what', '', 'a shorter pass adds nothing'],
    ['Five,', 'Five, five.', 'five.', 'punctuation after the committed word is not shown again'],
  ];
  for (const [committed, pass, tentative, why] of table) {
    it(`${JSON.stringify(committed)} + pass ${JSON.stringify(pass)} -> ${JSON.stringify(tentative)} (${why})`, () => {
      assert.strictEqual(tentativeAfter(committed, pass), tentative);
    });
  }
});

describe('partials and finals carry the VAD evidence of their utterance', () => {
  const calls: { speech?: SpeechEvidence }[] = [];
  const whisper = {
    busy: true, // no partial or speculative pass: only the final is transcribed
    transcribe: async (_a: Float32Array, _l: string, options: { speech?: SpeechEvidence } = {}) => {
      calls.push(options);
      return { text: 'three', tokens: [], rejected: undefined } as unknown as WhisperResult;
    },
  } as unknown as Whisper;

  it("gives a closed utterance the evidence of its own frames, not the next one's", async () => {
    // A real segmenter (its held-tone check off: these frames are synthetic) and the transcriber following it.
    const seg = new UtteranceSegmenter({ hangoverMs: 200, preRollMs: 0, rejectSteady: false, energyAssist: false });
    const t = new SpeculativeTranscriber(whisper, 'en', { partials: true, speculate: true }, () => undefined);
    t.follow(seg);
    const closed: Utterance[] = [];
    seg.on({ closed: (_id, u) => u && closed.push(u) });
    const frame = new Float32Array(512).fill(0.01);
    const push = (p: number) => {
      seg.push(frame, p);
      t.tick(seg, p);
    };
    push(0.1); // before speech: no evidence
    for (const p of [0.97, 0.9, 0.8, 0.6, 0.7]) push(p); // utterance 1: five voiced frames
    for (let i = 0; i < 7; i++) push(0.1); // 224 ms of silence closes it (hangover 200 ms)
    assert.strictEqual(closed.length, 1);
    for (const p of [0.55, 0.3, 0.6, 0.52, 0.51, 0.58]) push(p); // the next one opens before the first is transcribed
    seg.flush(); // closed by the end of the stream
    assert.strictEqual(closed.length, 2);
    calls.length = 0;
    await t.finalFor(closed[0]);
    // The silence frames of the hangover count towards nothing but the maximum (they are below the speech threshold).
    assert.strictEqual(calls[0].speech?.maxProbability, 0.97);
    assert.strictEqual(calls[0].speech?.speechMs, 5 * 32);
    await t.finalFor(closed[1]);
    assert.strictEqual(calls[1].speech?.maxProbability, 0.6);
    assert.strictEqual(calls[1].speech?.speechMs, 5 * 32);
  });

  it('tells listeners of speech start, voiced frames and the close, in order, and a forced cut as close then start', () => {
    const seg = new UtteranceSegmenter({ hangoverMs: 200, preRollMs: 0, maxUtteranceMs: 1000, rejectSteady: false, energyAssist: false });
    const events: string[] = [];
    seg.on({
      speechStart: (id) => events.push(`start ${id}`),
      voiced: () => events.length && !events[events.length - 1].startsWith('voiced') && events.push('voiced'),
      closed: (id, u) => events.push(`closed ${id} ${u ? u.reason : 'dropped'}`),
    });
    const frame = Float32Array.from({ length: 512 }, (_, i) => 0.1 * Math.sin(i / 3));
    seg.push(frame, 0.1);
    for (let i = 0; i < 40; i++) seg.push(frame, 0.9); // 1.28 s of speech: cut at 1 s
    for (let i = 0; i < 8; i++) seg.push(frame, 0.05);
    seg.push(frame, 0.9); // a blip: too short to keep
    for (let i = 0; i < 8; i++) seg.push(frame, 0.05);
    assert.deepStrictEqual(events, ['start 1', 'voiced', 'closed 1 max-length', 'start 2', 'voiced', 'closed 2 silence', 'start 3', 'voiced', 'closed 3 dropped']);
  });
});
