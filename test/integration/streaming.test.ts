/** Partials and speculation on the live path, fed from a file at real-time pace (as a microphone would deliver it). */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { EngineClient } from '../../src/engineClient';
import { encodeWav16 } from '../../src/engine/audio/wav';
import { FinalNotification, PartialNotification, ProvisionalNotification, SessionEndNotification } from '../../src/protocol';
import { normalizeWords } from '../../eval/wer';
import { AUDIO_DIR, loadClip } from '../audioFixtures';
import { startEngine, tempDir } from './engineHarness';
import { joinWithPauses } from '../support/signal';
import { noiseSignals } from './noiseSignals';

const words = normalizeWords;

/** Plays `file` through a listen session at real-time pace; what it sent, the finals with text only. */
async function liveSession(
  engine: EngineClient,
  file: string,
): Promise<{ partials: PartialNotification[]; provisionals: ProvisionalNotification[]; finals: FinalNotification[] }> {
  const partials: PartialNotification[] = [];
  const provisionals: ProvisionalNotification[] = [];
  const finals: FinalNotification[] = [];
  const subs = [
    engine.onPartial((p) => partials.push(p)),
    engine.onProvisional((p) => provisionals.push(p)),
    engine.onFinal((f) => finals.push(f)),
  ];
  const ended = new Promise<SessionEndNotification>((resolve) => subs.push(engine.onSessionEnd(resolve)));
  const { sessionId } = await engine.start({ source: { kind: 'file', path: file, realtime: true } });
  await ended;
  subs.forEach((s) => s.dispose());
  return {
    partials: partials.filter((p) => p.sessionId === sessionId),
    provisionals: provisionals.filter((p) => p.sessionId === sessionId),
    finals: finals.filter((f) => f.sessionId === sessionId && f.text),
  };
}

describe('partials and speculation (live path)', function () {
  this.timeout(120000);
  let engine: EngineClient;
  let tmp: string;
  let file: string;

  before(async function () {
    tmp = tempDir('streaming');
    const audio = joinWithPauses(['cards/005.wav', 'goforward.wav', 'forever-2.wav'].map(loadClip), 24000);
    file = path.join(tmp, 'three.wav');
    fs.writeFileSync(file, encodeWav16(audio, 16000));
    engine = startEngine();
    await engine.initialize({ model: 'tiny' });
  });
  after(async () => {
    await engine?.shutdown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const run = () => liveSession(engine, file);

  it('sends partials whose agreed text only grows and whose last guess converges to the final text', async function () {
    const { partials, finals } = await run();
    assert.strictEqual(finals.length, 3, finals.map((f) => f.text).join(' | '));
    for (const f of finals) {
      const mine = partials.filter((p) => p.utteranceId === f.utteranceId);
      assert.ok(mine.length >= 1, `utterance ${f.utteranceId} ("${f.text}") had partials`);
      let previous = '';
      for (const p of mine) {
        assert.ok(p.text.startsWith(previous), `agreed text only grows: "${previous}" -> "${p.text}"`);
        previous = p.text;
        assert.ok(p.sinceSpeechStartMs > 0);
      }
      // The last guess before the final, agreed and tentative together, is most of the final's words.
      const last = mine[mine.length - 1];
      const guess = words(`${last.text} ${last.tentative}`);
      const final = words(f.text);
      const shared = final.filter((w) => guess.includes(w)).length;
      assert.ok(shared >= Math.ceil(final.length / 2), `last partial "${last.text} ${last.tentative}" vs final "${f.text}"`);
    }
    // Interim text, agreed or not, shows up while the speaker is still talking.
    assert.ok(partials.some((p) => p.tentative.length > 0 || p.text.length > 0));
  });

  it('finishes on the pass started during the hangover, with the same text as offline transcription', async function () {
    const first = await run();
    assert.ok(
      first.finals.every((f) => f.timings.speculative === 1),
      'every final came from the speculative pass',
    );
    await engine.configure({ partials: false });
    try {
      const { partials, finals } = await run();
      assert.strictEqual(partials.length, 0);
      const offline: Array<{ text: string }> = [];
      for (const c of ['cards/005.wav', 'goforward.wav', 'forever-2.wav'])
        offline.push(await engine.transcribeFile({ path: path.join(AUDIO_DIR, c) }));
      assert.strictEqual(finals.length, 3);
      finals.forEach((f, i) => {
        assert.deepStrictEqual(words(f.text), words(offline[i].text));
        assert.strictEqual(f.timings.speculative, 1);
      });
    } finally {
      await engine.configure({ partials: true });
    }
  });
});

describe('early close (levers.earlyClose, live path)', function () {
  this.timeout(180000);
  let engine: EngineClient;

  before(async () => {
    engine = startEngine();
    // A low bar, so that sentences close early on these clips (the bench measures the default bar's effect).
    await engine.initialize({ model: 'tiny', levers: { earlyClose: 0.3 } });
  });
  after(async () => engine?.shutdown());

  const live = async (file: string) => (await liveSession(engine, file)).finals;

  it('closes a finished sentence before the hangover is over, and the words stay those of the file transcription', async () => {
    // Each clip is one sentence followed by 2.5 s of silence: Whisper ends each with a full stop.
    const tmp = tempDir('early-close');
    try {
      const clips = ['goforward.wav', 'forever-2.wav', 'cards/005.wav'];
      const audio = joinWithPauses(clips.map(loadClip), 40000);
      const file = path.join(tmp, 'sentences.wav');
      fs.writeFileSync(file, encodeWav16(audio, 16000));
      const finals = await live(file);
      const offline = await engine.transcribeFile({ path: file });
      assert.deepStrictEqual(words(finals.map((f) => f.text).join(' ')), words(offline.text));
      // At least one sentence closed early: its text reached us well before the 600 ms hangover plus processing.
      const early = finals.filter((f) => f.endOfSpeechToTextMs < 550);
      assert.ok(early.length >= 1, `end of speech to text: ${finals.map((f) => Math.round(f.endOfSpeechToTextMs)).join(', ')} ms`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('changes no word of speech that goes on after a pause (jfk.wav, its natural pauses)', async () => {
    const jfk = path.join(AUDIO_DIR, 'jfk.wav');
    const early = await live(jfk);
    await engine.configure({ levers: { earlyClose: 0 } });
    try {
      const waited = await live(jfk);
      const text = (fs: FinalNotification[]) => fs.map((f) => f.text).join(' | ');
      assert.deepStrictEqual(words(text(early)), words(text(waited)), `early: ${text(early)}; after the hangover: ${text(waited)}`);
    } finally {
      await engine.configure({ levers: { earlyClose: 0.3 } });
    }
  });
});

describe('provisional text (live path)', function () {
  this.timeout(180000);
  let engine: EngineClient;

  before(async () => {
    engine = startEngine();
    await engine.initialize({ model: 'tiny' });
  });
  after(async () => engine?.shutdown());

  const live = (file: string) => liveSession(engine, file);

  it('a sentence said with pauses (jfk.wav) is one final with the words of the file transcription, no stray full stop', async () => {
    const jfk = path.join(AUDIO_DIR, 'jfk.wav');
    const { provisionals, finals } = await live(jfk);
    const offline = await engine.transcribeFile({ path: jfk });
    assert.strictEqual(finals.length, 1, finals.map((f) => f.text).join(' | '));
    assert.deepStrictEqual(words(finals[0].text), words(offline.text));
    assert.match(finals[0].text.trim(), /^[^.!?]+[.!?]$/, 'one sentence: its only closing mark is at its end');
    // Text went out during the pauses, before the utterance was final, and each provisional grew the one before.
    const mine = provisionals.filter((p) => p.utteranceId === finals[0].utteranceId);
    assert.ok(mine.length >= 2, `provisionals: ${mine.map((p) => p.text).join(' | ')}`);
    assert.ok(words(mine[0].text).length < words(finals[0].text).length);
  });

  it('a final that keeps the latest provisional text says when that text went out; one that changed it does not', async () => {
    const tmp = tempDir('provisional');
    try {
      const file = path.join(tmp, 'sentences.wav');
      fs.writeFileSync(file, encodeWav16(joinWithPauses(['goforward.wav', 'cards/005.wav', 'forever-2.wav'].map(loadClip), 40000), 16000));
      const { provisionals, finals } = await live(file);
      assert.strictEqual(finals.length, 3, finals.map((f) => f.text).join(' | '));
      for (const f of finals) {
        const last = provisionals.filter((p) => p.utteranceId === f.utteranceId).at(-1);
        assert.ok(last, `utterance "${f.text}" had provisional text`);
        if (last.text === f.text) {
          assert.ok(f.provisionalMs !== undefined && f.provisionalMs <= f.endOfSpeechToTextMs, `"${f.text}": ${f.provisionalMs} ms`);
          assert.ok(Math.abs(f.provisionalMs - last.endOfSpeechToTextMs) < 1);
        } else {
          assert.strictEqual(f.provisionalMs, undefined);
        }
      }
      assert.ok(
        finals.some((f) => f.provisionalMs !== undefined),
        'after a clean pause the provisional text stood',
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('silence and noise give no provisional text', async () => {
    const tmp = tempDir('provisional-noise');
    try {
      const file = path.join(tmp, 'noise.wav');
      // Silence, then each kind of noise and the held chords at an ordinary room level, 1 s of silence between them.
      const noise = joinWithPauses([new Float32Array(16000), ...noiseSignals(3, [-30]).map(([, samples]) => samples)], 16000);
      fs.writeFileSync(file, encodeWav16(noise, 16000));
      const { provisionals, finals } = await live(file);
      assert.deepStrictEqual(
        provisionals.map((p) => p.text),
        [],
      );
      assert.deepStrictEqual(
        finals.map((f) => f.text),
        [],
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('the second look (levers.secondLook, base, live path)', function () {
  this.timeout(240000);
  // "right brace": base reads "Right-braise" on its 5 s window and "Right-brace" on its 10 s final window, in both
  // this recording's 16 kHz (../shared/audio/dev) and 8 kHz (Debian's package, scripts/fetch-test-audio.mjs) versions.
  const CLIP = 'dev/ast__letters__ascii125.wav';
  let engine: EngineClient;
  let tmp: string;
  let file: string;

  before(async () => {
    tmp = tempDir('second-look');
    file = path.join(tmp, 'brace.wav');
    // 2 s of silence either side: the hangover closes the utterance before the file ends.
    fs.writeFileSync(file, encodeWav16(joinWithPauses([loadClip(CLIP)], 32000), 16000));
    engine = startEngine();
    await engine.initialize({ model: 'base' });
  });
  after(async () => {
    await engine?.shutdown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('sends the fast pass as provisional text and revises it in the hangover with the pass on the final window, as file mode reads it', async () => {
    const { provisionals, finals } = await liveSession(engine, file);
    assert.strictEqual(finals.length, 1, finals.map((f) => f.text).join(' | '));
    const offline = await engine.transcribeFile({ path: path.join(AUDIO_DIR, CLIP) });
    assert.deepStrictEqual(words(finals[0].text), words(offline.text));
    const mine = provisionals.filter((p) => p.utteranceId === finals[0].utteranceId);
    const [first, last] = [mine[0], mine.at(-1)];
    assert.ok(first && last, 'the utterance had provisional text');
    assert.notDeepStrictEqual(words(first.text), words(finals[0].text), `the first provisional text was "${first.text}"`);
    // The second look ran in the hangover: its reading was out as provisional text before the final, which keeps it.
    assert.deepStrictEqual(words(last.text), words(finals[0].text), `the last provisional text was "${last.text}"`);
    assert.ok(
      finals[0].provisionalMs !== undefined && finals[0].provisionalMs > first.endOfSpeechToTextMs,
      "the final claims the revised text's time",
    );
    await engine.configure({ levers: { secondLook: false } });
    try {
      // Without the lever the final is the fast pass itself: the same provisional text, kept.
      const off = await liveSession(engine, file);
      assert.strictEqual(off.finals.length, 1);
      assert.deepStrictEqual(words(off.finals[0].text), words(first.text));
      assert.ok(off.finals[0].provisionalMs !== undefined);
    } finally {
      await engine.configure({ levers: {} });
    }
  });
});
