import * as assert from 'assert';
import { Utterance, UtteranceSegmenter } from '../../../../src/engine/live/segmenter';
import { endsSentence, SpeculativeTranscriber, tentativeAfter } from '../../../../src/engine/live/streaming';
import { SpeechEvidence } from '../../../../src/engine/whisper/guards';
import { Whisper, WhisperResult } from '../../../../src/engine/whisper/whisper';

describe('partials: the tentative text after the committed text', () => {
  const table: [string, string, string, string][] = [
    ['', 'And so my fellow', 'And so my fellow', 'nothing committed: the whole pass'],
    ['And so my fellow', 'And so my fellow Americans, ask', 'Americans, ask', 'the pass goes on from the committed words'],
    [
      'ask what you can do for you,',
      'Ask what you can do for your country',
      'country',
      'read differently ("Ask", "your"): never the committed words twice',
    ],
    [
      'ask what you can do for you,',
      'ask what you can do for you, ask what you can do',
      'ask what you can do',
      'a real repeat after the committed words stays',
    ],
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
    assert.deepStrictEqual(events, [
      'start 1',
      'voiced',
      'closed 1 max-length',
      'start 2',
      'voiced',
      'closed 2 silence',
      'start 3',
      'voiced',
      'closed 3 dropped',
    ]);
  });
});

describe('early close: a speculative pass that ends a sentence', () => {
  const sure = Math.log(0.9);
  const table: [string, number, boolean][] = [
    ['And so my fellow Americans.', sure, true],
    ['What can you do for your country?', sure, true],
    ['Stop!', sure, true],
    ['He said "go."', sure, true],
    ['And so my fellow Americans', sure, false], // no full stop yet
    ['ask not what your country can do for you,', sure, false],
    ['And so my fellow Americans.', Math.log(0.6), false], // Whisper not sure enough of its full stop
    ['', sure, false],
  ];
  for (const [text, logprob, ends] of table) {
    it(`${JSON.stringify(text)} at p=${Math.exp(logprob).toFixed(1)} ${ends ? 'ends' : 'does not end'} a sentence`, () => {
      assert.strictEqual(endsSentence({ text, lastTokenLogprob: logprob, rejected: undefined }), ends);
    });
  }

  it('a rejected pass never ends one', () => {
    assert.strictEqual(endsSentence({ text: 'Thank you.', lastTokenLogprob: sure, rejected: 'no speech' }), false);
  });

  it('the segmenter closes early only after the post-roll, keeps it, and carries what follows as pre-roll', () => {
    const seg = new UtteranceSegmenter({ hangoverMs: 600, preRollMs: 300, rejectSteady: false, energyAssist: false });
    const speech = Float32Array.from({ length: 512 }, (_, i) => 0.1 * Math.sin(i / 3));
    const quiet = new Float32Array(512);
    for (let i = 0; i < 10; i++) seg.push(speech, 0.9);
    seg.push(quiet, 0.05); // 32 ms of pause: shorter than the post-roll
    assert.strictEqual(seg.closeNow(), undefined);
    assert.ok(seg.speaking);
    for (let i = 0; i < 8; i++) seg.push(quiet, 0.05); // 288 ms of pause
    const u = seg.closeNow();
    assert.ok(u);
    assert.strictEqual(u.reason, 'sentence-end');
    assert.strictEqual(u.endSample, u.lastVoicedSample + seg.postRoll);
    assert.ok(!seg.speaking);
    // Speech that goes on opens the next utterance with the pause's tail as pre-roll: nothing between is lost.
    seg.push(speech, 0.9);
    assert.ok(seg.speaking);
    assert.ok(
      seg.utteranceStart <= u.endSample + 512 && seg.utteranceStart >= u.endSample,
      `next starts at ${seg.utteranceStart}, the early one ended at ${u.endSample}`,
    );
  });
});

describe('the second look: a final decoded again on the final window (scripted Whisper)', () => {
  /** A scripted Whisper with base's windows: "fast" on the 5 s one, `second` on the final one; busy while a pass runs. */
  function scripted(second: Partial<WhisperResult> | Error, finalFloorMs = 10000) {
    const calls: string[] = [];
    let running = 0;
    const whisper = {
      window: { variable: true, floorMs: 5000, paddingMs: 1000, timestamps: true, finalFloorMs },
      get busy() {
        return running > 0;
      },
      transcribe: async (_a: Float32Array, _l: string, options: { final?: boolean } = {}) => {
        calls.push(options.final ? 'final' : 'fast');
        running++;
        // The fast pass outlasts two frames: speech that comes back right after the post-roll overtakes it.
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
        running--;
        if (!options.final) return { text: 'fast', tokens: [], rejected: undefined } as unknown as WhisperResult;
        if (second instanceof Error) throw second;
        return { tokens: [], rejected: undefined, ...second } as unknown as WhisperResult;
      },
    } as unknown as Whisper;
    return { whisper, calls };
  }

  /**
   * One utterance of 20 voiced frames (0.64 s), then its pause; returns the speculative text told and the final.
   * `speechBack`: a voiced frame comes back in the pause before the first pass is done ('early'), or once the second
   * look has started (`calls` shows it), while it runs ('during the look').
   */
  async function dictate(whisper: Whisper, secondLook: boolean, speechBack?: 'early' | 'during the look', calls: string[] = []) {
    const seg = new UtteranceSegmenter({ hangoverMs: 600, preRollMs: 0, rejectSteady: false, energyAssist: false });
    const told: string[] = [];
    const opts = { partials: false, speculate: true, provisional: true, secondLook };
    const t = new SpeculativeTranscriber(
      whisper,
      'en',
      opts,
      () => undefined,
      (_id, _end, r) => told.push(r.text),
    );
    t.follow(seg);
    const closed: Utterance[] = [];
    seg.on({ closed: (_id, u) => u && closed.push(u) });
    const speech = Float32Array.from({ length: 512 }, (_, i) => 0.1 * Math.sin(i / 3));
    const quiet = new Float32Array(512);
    const push = async (f: Float32Array, p: number) => {
      seg.push(f, p);
      t.tick(seg, p);
      await new Promise((r) => setImmediate(r));
    };
    for (let i = 0; i < 20; i++) await push(speech, 0.9);
    for (let i = 0; i < 5; i++) await push(quiet, 0.05); // the post-roll is in: the speculative pass starts
    if (speechBack === 'early') {
      await push(speech, 0.9); // speech comes back before the first pass is done: no second look for it
      for (let i = 0; i < 5; i++) await push(quiet, 0.05);
    } else if (speechBack === 'during the look') {
      while (!calls.includes('final')) await push(quiet, 0.05); // the fast pass is done, the look starts
      await push(speech, 0.9);
      for (let i = 0; i < 5; i++) await push(quiet, 0.05);
    }
    for (let i = 0; i < 30; i++) await push(quiet, 0.05); // the hangover closes it
    assert.strictEqual(closed.length, 1);
    const final = await t.finalFor(closed[0]);
    return { told, final };
  }

  it('tells the fast pass as provisional, looks again in the hangover, tells its other words and makes it the final', async () => {
    const { whisper, calls } = scripted({ text: 'second' });
    const { told, final } = await dictate(whisper, true);
    assert.deepStrictEqual(told, ['fast', 'second']);
    assert.strictEqual(final.result.text, 'second');
    assert.strictEqual(final.speculative, true);
    // The look in the hangover is the final: no pass after the close.
    assert.deepStrictEqual(calls, ['fast', 'final']);
  });

  it('tells nothing more where the second look reads the same words', async () => {
    const { whisper, calls } = scripted({ text: 'Fast.' });
    const { told, final } = await dictate(whisper, true);
    assert.deepStrictEqual(told, ['fast']);
    assert.strictEqual(final.result.text, 'fast');
    assert.deepStrictEqual(calls, ['fast', 'final']);
  });

  it('drops a look in the hangover that speech came back during, and looks again at the real end', async () => {
    const { whisper, calls } = scripted({ text: 'second' });
    const { told, final } = await dictate(whisper, true, 'during the look', calls);
    assert.strictEqual(final.result.text, 'second');
    assert.deepStrictEqual(calls, ['fast', 'final', 'fast', 'final']);
    // The overtaken look told nothing: only the real end's fast pass and its look.
    assert.deepStrictEqual(told, ['fast', 'fast', 'second']);
  });

  it('keeps the fast pass where the second look fails, drops as no speech what it heard, or reads the same words', async () => {
    for (const second of [new Error('thread stopped'), { text: '', rejected: 'no speech' }, { text: '  ' }, { text: 'Fast.' }]) {
      const { whisper } = scripted(second);
      const { final } = await dictate(whisper, true);
      assert.strictEqual(final.result.text, 'fast', String(second instanceof Error ? second.message : JSON.stringify(second)));
    }
  });

  it('looks once only where the window would change, and not at a pass that speech overtook', async () => {
    const off = scripted({ text: 'second' });
    assert.strictEqual((await dictate(off.whisper, false)).final.result.text, 'fast');
    assert.deepStrictEqual(off.calls, ['fast']);
    const same = scripted({ text: 'second' }, 5000); // a final window no longer than the fast one: nothing to look at
    assert.strictEqual((await dictate(same.whisper, true)).final.result.text, 'fast');
    assert.deepStrictEqual(same.calls, ['fast']);
    const back = scripted({ text: 'second' });
    const r = await dictate(back.whisper, true, 'early');
    // The overtaken pass got no second look; the pass at the utterance's real end did, and it is the final.
    assert.strictEqual(r.final.result.text, 'second');
    assert.deepStrictEqual(back.calls, ['fast', 'fast', 'final']);
  });
});
