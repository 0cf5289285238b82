import * as assert from 'assert';
import { tentativeAfter } from '../../../src/pipeline/streaming';

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
