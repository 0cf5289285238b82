import * as assert from 'assert';
import {
  COMPRESSION_RATIO_THRESHOLD,
  compressionRatio,
  GuardInput,
  rejectReason,
  repeatedSegmentStart,
  tailLoopLength,
  trimLoop,
} from '../../../../src/pipeline/whisper/guards';

const JFK = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

/** Distinct token ids for an n-gram, well away from the prefix's. */
function ngram(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 1000 + i);
}

function repeat(tokens: number[], times: number): number[] {
  return Array.from({ length: times }, () => tokens).flat();
}

const PREFIX = [11, 12, 13, 14, 15];

describe('hallucination guards', () => {
  describe('compressionRatio', () => {
    it('is high for repetitive text and low for a normal sentence', () => {
      const loop = 'Thank you. '.repeat(30);
      assert.ok(compressionRatio(loop) > COMPRESSION_RATIO_THRESHOLD, `loop: ${compressionRatio(loop)}`);
      assert.ok(compressionRatio(JFK) < COMPRESSION_RATIO_THRESHOLD, `jfk: ${compressionRatio(JFK)}`);
      assert.ok(compressionRatio('ten of clubs') < COMPRESSION_RATIO_THRESHOLD);
      assert.ok(compressionRatio('a'.repeat(500)) > 10);
    });

    it('is 0 for empty text', () => {
      assert.strictEqual(compressionRatio(''), 0);
    });

    it('does not flag normal text in other scripts', () => {
      for (const text of ['Frag nicht, was dein Land für dich tun kann, frag, was du für dein Land tun kannst.', '国があなたのために何ができるかではなく、あなたが国のために何ができるかを問うてください。']) {
        assert.ok(compressionRatio(text) < COMPRESSION_RATIO_THRESHOLD, `${text}: ${compressionRatio(text)}`);
      }
      assert.ok(compressionRatio('ありがとうございました。'.repeat(20)) > COMPRESSION_RATIO_THRESHOLD);
    });
  });

  describe('tailLoopLength and trimLoop', () => {
    for (let n = 1; n <= 8; n++) {
      const repeats = n === 1 ? 6 : 4;
      it(`finds a ${n}-gram repeated ${repeats} times at the end and keeps one copy`, () => {
        const tokens = [...PREFIX, ...repeat(ngram(n), repeats)];
        assert.strictEqual(tailLoopLength(tokens), n * repeats);
        assert.deepStrictEqual(trimLoop(tokens), [...PREFIX, ...ngram(n)]);
      });

      it(`keeps only one copy of a ${n}-gram repeated many more times`, () => {
        const tokens = [...PREFIX, ...repeat(ngram(n), repeats + 7)];
        assert.ok(tailLoopLength(tokens) > 0);
        assert.deepStrictEqual(trimLoop(tokens), [...PREFIX, ...ngram(n)]);
      });

      it(`does not call a ${n}-gram repeated ${repeats - 1} times a loop`, () => {
        const tokens = [...PREFIX, ...repeat(ngram(n), repeats - 1)];
        assert.strictEqual(tailLoopLength(tokens), 0);
        assert.deepStrictEqual(trimLoop(tokens), tokens);
      });
    }

    it('does not trigger on short legitimate repeats like "five five" or "five, five, five"', () => {
      const five = 3440;
      const comma = 11;
      assert.strictEqual(tailLoopLength([five, five]), 0);
      assert.strictEqual(tailLoopLength([five, five, five, five, five]), 0, 'five of a single token');
      assert.strictEqual(tailLoopLength([five, comma, five, comma, five]), 0);
      assert.strictEqual(tailLoopLength([five, comma, five, comma, five, comma]), 0, 'a 2-gram three times');
      assert.strictEqual(tailLoopLength([7, 286, 4261, 7, 286, 4261]), 0, '"7 of clubs 7 of clubs"');
    });

    it('only looks at the tail: a repeat followed by other tokens is not a loop', () => {
      const tokens = [...repeat([5, 6], 6), 99];
      assert.strictEqual(tailLoopLength(tokens), 0);
      assert.deepStrictEqual(trimLoop(tokens), tokens);
    });

    it('handles sequences shorter than any loop, and returns a copy', () => {
      assert.strictEqual(tailLoopLength([]), 0);
      assert.deepStrictEqual(trimLoop([]), []);
      const tokens = [1, 2, 3];
      const trimmed = trimLoop(tokens);
      assert.deepStrictEqual(trimmed, tokens);
      assert.notStrictEqual(trimmed, tokens);
    });
  });

  describe('repeatedSegmentStart', () => {
    const TS = 50364; // <|0.00|>
    const ts = (s: number) => TS + Math.round(s / 0.02);
    const sentence = [400, 370, 452, 1035, 6280, 1029];
    it('finds a segment that starts reading the window again, at its opening timestamp, once its fourth word is in', () => {
      const tokens = [ts(0), ...sentence, ts(10), ts(10.2), ...sentence.slice(0, 4)];
      assert.strictEqual(repeatedSegmentStart(tokens, TS), 7 + 1);
      assert.strictEqual(repeatedSegmentStart(tokens.slice(0, -1), TS), -1, 'three words are not yet a repeat');
    });
    it('leaves segments that say something new, or repeat fewer than four tokens', () => {
      assert.strictEqual(repeatedSegmentStart([ts(0), ...sentence, ts(3), ts(3.5), 11, 12, 13, 14, 15, ts(5)], TS), -1);
      assert.strictEqual(repeatedSegmentStart([ts(0), ...sentence, ts(3), ts(3.5), ...sentence.slice(0, 3)], TS), -1);
      assert.strictEqual(repeatedSegmentStart([...sentence, ...sentence], TS), -1, 'no timestamps, no segments');
    });
  });

  describe('rejectReason', () => {
    const normal: GuardInput = { text: JFK, tokens: 27, avgLogprob: -0.3, noSpeechProb: 0.02, looped: false };

    it('keeps a normal confident transcript', () => {
      assert.strictEqual(rejectReason(normal), undefined);
    });

    it('rejects empty text', () => {
      assert.strictEqual(rejectReason({ ...normal, text: '', tokens: 0 }), 'empty');
    });

    it('rejects no speech only when the no-speech probability is high and the confidence low (Whisper\'s rule)', () => {
      assert.match(rejectReason({ ...normal, text: 'you', noSpeechProb: 0.9, avgLogprob: -1.4 }) ?? '', /^no speech/);
      assert.strictEqual(rejectReason({ ...normal, noSpeechProb: 0.9, avgLogprob: -0.2 }), undefined);
    });

    it('rejects repetitive text even when confident', () => {
      assert.match(rejectReason({ ...normal, text: 'Thank you. '.repeat(30).trim(), avgLogprob: -0.1 }) ?? '', /^repetitive/);
    });

    it('keeps low-confidence text when the model heard speech (a dropped word is worse than a wrong one)', () => {
      assert.strictEqual(rejectReason({ ...normal, text: 'ask not', avgLogprob: -1.5, noSpeechProb: 0.1 }), undefined);
      assert.strictEqual(rejectReason({ ...normal, avgLogprob: -3, noSpeechProb: 0.6 }), undefined);
      assert.match(rejectReason({ ...normal, avgLogprob: -3, noSpeechProb: 0.61 }) ?? '', /^no speech/);
    });

    it('uses the thresholds strictly (exactly at the limit is kept)', () => {
      assert.strictEqual(rejectReason({ ...normal, avgLogprob: -1.0, noSpeechProb: 0.6 }), undefined);
    });
  });
});
