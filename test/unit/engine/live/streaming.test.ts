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
  /** A segmenter as SpeculativeTranscriber reads it. */
  const seg = { speaking: false, openUtteranceId: 1, streamPosition: 0, lastVoicedSample: 0, postRoll: 3200, utteranceStart: 0, snapshot: () => new Float32Array(0) };
  const calls: { speech?: SpeechEvidence }[] = [];
  const whisper = {
    busy: true, // no partial or speculative pass: only the final is transcribed
    transcribe: async (_a: Float32Array, _l: string, options: { speech?: SpeechEvidence } = {}) => {
      calls.push(options);
      return { text: 'three', tokens: [], rejected: undefined } as unknown as WhisperResult;
    },
  } as unknown as Whisper;
  const utterance = (id: number): Utterance => ({ id, samples: new Float32Array(512), startSample: 0, endSample: 512, lastVoicedSample: 512, reason: 'silence', closedAt: 0 });

  it('gives a closed utterance the evidence of its own frames, not the next one\'s', async () => {
    const t = new SpeculativeTranscriber(whisper, 'en', { partials: true, speculate: true }, () => undefined);
    const frame = (speaking: boolean, id: number, p: number) => {
      Object.assign(seg, { speaking, openUtteranceId: id });
      t.tick(seg as unknown as UtteranceSegmenter, p);
    };
    for (const p of [0.1, 0.97, 0.9, 0.8, 0.6, 0.7]) frame(true, 1, p);
    frame(false, 2, 0.1); // utterance 1 closed on this frame
    for (const p of [0.3, 0.55]) frame(true, 2, p); // the next one opens before the first is transcribed
    calls.length = 0;
    await t.finalFor(utterance(1));
    assert.deepStrictEqual(calls[0].speech, { maxProbability: 0.97, speechMs: 5 * 32 });
    await t.finalFor(utterance(2)); // closed by the end of the stream, no frame after it
    assert.deepStrictEqual(calls[1].speech, { maxProbability: 0.55, speechMs: 32 });
  });
});
