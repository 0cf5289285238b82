import * as assert from 'assert';
import { budgetLevel, isListening, statusText } from '../../../src/views/statusText';

const budgets = { warningMs: 1000, errorMs: 2000 };

describe('status bar text (src/views/statusText.ts)', () => {
  it('idle: the microphone, the name and the last felt latency in units a person reads', () => {
    assert.strictEqual(statusText('idle', undefined, budgets), '$(mic) VoiceFlow');
    assert.strictEqual(statusText('idle', 712.4, budgets), '$(mic) VoiceFlow 712 ms');
    assert.strictEqual(statusText('idle', 1640, budgets), '$(mic) VoiceFlow 1.6 s');
  });

  it('while the microphone is open the item says "Listening", with the state in its icon', () => {
    assert.strictEqual(statusText('listening', undefined, budgets), '$(mic-filled) Listening');
    assert.strictEqual(statusText('speech', 700, budgets), '$(record) Listening 700 ms');
    assert.strictEqual(statusText('transcribing', 700, budgets), '$(sync~spin) Listening 700 ms');
    assert.ok(['listening', 'speech', 'transcribing'].every((s) => isListening(s as 'listening')));
    assert.ok(!isListening('idle') && !isListening('starting') && !isListening('error'));
  });

  it('past a budget while listening, a warning icon marks the figure (the background is taken by "listening")', () => {
    assert.strictEqual(statusText('listening', 1200, budgets), '$(mic-filled) Listening $(warning) 1.2 s');
  });

  it('starting and loading say so, without a figure', () => {
    assert.strictEqual(statusText('starting', 700, budgets), '$(loading~spin) VoiceFlow: starting');
    assert.strictEqual(statusText('loading', 700, budgets), '$(loading~spin) VoiceFlow: loading model');
  });

  it('budgets: strictly above each; 0 turns one off', () => {
    assert.strictEqual(budgetLevel(undefined, budgets), 'ok');
    assert.strictEqual(budgetLevel(1000, budgets), 'ok');
    assert.strictEqual(budgetLevel(1001, budgets), 'warning');
    assert.strictEqual(budgetLevel(2001, budgets), 'error');
    assert.strictEqual(budgetLevel(5000, { warningMs: 0, errorMs: 0 }), 'ok');
    assert.strictEqual(budgetLevel(5000, { warningMs: 1000, errorMs: 0 }), 'warning');
  });

  it('does not count the pause against the budgets where text waited for it (terminal, commands)', () => {
    assert.strictEqual(budgetLevel(1700, budgets, 1500), 'ok');
    assert.strictEqual(budgetLevel(2600, budgets, 1500), 'warning');
    assert.strictEqual(budgetLevel(3600, budgets, 1500), 'error');
    assert.strictEqual(statusText('listening', 1700, budgets, 1500), '$(mic-filled) Listening 1.7 s');
    assert.strictEqual(statusText('listening', 1700, budgets), '$(mic-filled) Listening $(warning) 1.7 s');
  });
});
