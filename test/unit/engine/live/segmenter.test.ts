import * as assert from 'assert';
import {
  CUT_SEARCH_MS,
  HANGOVER_MS,
  MAX_UTTERANCE_MS,
  MIN_SPEECH_MS,
  POST_ROLL_MS,
  PRE_ROLL_MS,
  SegmenterOptions,
  STEADY_MAX_DB,
  Utterance,
  UtteranceSegmenter,
  cutOffInSpeech,
  levelChangeDb,
  quietestPoint,
} from '../../../../src/engine/live/segmenter';

const FRAME = 512;
const ms = (v: number) => Math.round((v * 16000) / 1000);

/**
 * Feeds frames whose samples hold their own stream position (exact in float32 up to 2^24), so any utterance's
 * samples can be checked for being the right stretch of the stream, in order, with nothing missing or repeated.
 */
class Stream {
  readonly seg: UtteranceSegmenter;
  readonly closed: Array<{ u: Utterance; frame: number }> = [];
  frames = 0;

  /** These frames carry their stream position as sample values, not audio: the level checks stay off. */
  constructor(opts: SegmenterOptions = {}) {
    // The frame counts below are written for a 600 ms hangover (the default until provisional text came).
    this.seg = new UtteranceSegmenter({ energyAssist: false, rejectSteady: false, hangoverMs: 600, ...opts });
  }

  feed(probability: number, count = 1): Utterance[] {
    const out: Utterance[] = [];
    for (let i = 0; i < count; i++) {
      const frame = new Float32Array(FRAME);
      for (let s = 0; s < FRAME; s++) frame[s] = this.frames * FRAME + s;
      const u = this.seg.push(frame, probability);
      if (u) {
        out.push(u);
        this.closed.push({ u, frame: this.frames });
      }
      this.frames++;
    }
    return out;
  }

  flush(): Utterance | undefined {
    const u = this.seg.flush();
    if (u) this.closed.push({ u, frame: this.frames });
    return u;
  }
}

function assertContiguous(u: Utterance): void {
  assert.strictEqual(u.samples.length, u.endSample - u.startSample);
  for (let i = 0; i < u.samples.length; i++) {
    if (u.samples[i] !== u.startSample + i) assert.fail(`utterance ${u.id}: sample ${i} is ${u.samples[i]}, expected ${u.startSample + i}`);
  }
}

describe('UtteranceSegmenter', () => {
  it('has the documented defaults', () => {
    assert.deepStrictEqual([PRE_ROLL_MS, HANGOVER_MS, MIN_SPEECH_MS, POST_ROLL_MS], [300, 1500, 150, 128]);
    assert.strictEqual(new UtteranceSegmenter().threshold, 0.5);
  });

  it('includes PRE_ROLL_MS of audio from before speech started', () => {
    const s = new Stream();
    s.feed(0, 20);
    assert.strictEqual(s.seg.speaking, false);
    s.feed(0.9, 20);
    assert.strictEqual(s.seg.speaking, true);
    s.feed(0, 40);
    assert.strictEqual(s.closed.length, 1);
    const { u } = s.closed[0];
    assert.strictEqual(u.startSample, 20 * FRAME - ms(PRE_ROLL_MS));
    assert.strictEqual(u.lastVoicedSample, 40 * FRAME);
    assert.strictEqual(u.endSample, 40 * FRAME + ms(POST_ROLL_MS));
    assert.strictEqual(u.reason, 'silence');
    assert.strictEqual(u.id, 1);
    assertContiguous(u);
  });

  it('takes what pre-roll there is when speech starts near the beginning, and honours preRollMs', () => {
    const s = new Stream();
    s.feed(0, 2);
    s.feed(0.9, 10);
    s.feed(0, 30);
    assert.strictEqual(s.closed[0].u.startSample, 0);
    assertContiguous(s.closed[0].u);

    const none = new Stream({ preRollMs: 0 });
    none.feed(0, 10);
    none.feed(0.9, 10);
    none.feed(0, 30);
    assert.strictEqual(none.closed[0].u.startSample, 10 * FRAME);
    assertContiguous(none.closed[0].u);

    const long = new Stream({ preRollMs: 1000 });
    long.feed(0, 50);
    long.feed(0.9, 10);
    long.feed(0, 30);
    assert.strictEqual(long.closed[0].u.startSample, 50 * FRAME - ms(1000));
    assertContiguous(long.closed[0].u);
  });

  for (const hangoverMs of [HANGOVER_MS, 300, 1000]) {
    it(`closes once ${hangoverMs} ms of silence followed the speech, not before`, () => {
      const s = new Stream({ hangoverMs });
      s.feed(0, 5);
      s.feed(0.9, 20);
      const silentFramesNeeded = Math.ceil(ms(hangoverMs) / FRAME);
      s.feed(0.05, silentFramesNeeded - 1);
      assert.strictEqual(s.closed.length, 0, 'still open one frame before the hangover');
      assert.strictEqual(s.seg.speaking, true);
      const closed = s.feed(0.05);
      assert.strictEqual(closed.length, 1, 'closed on the frame that completes the hangover');
      assert.strictEqual(s.seg.speaking, false);
      assert.strictEqual(closed[0].lastVoicedSample, 25 * FRAME);
      assert.strictEqual(closed[0].endSample, Math.min(25 * FRAME + ms(POST_ROLL_MS), s.frames * FRAME));
      assertContiguous(closed[0]);
    });
  }

  it('drops blips shorter than MIN_SPEECH_MS and keeps speech just long enough', () => {
    const minFrames = Math.ceil(ms(MIN_SPEECH_MS) / FRAME); // 5 frames = 160 ms
    const blip = new Stream();
    blip.feed(0, 10);
    blip.feed(0.99, minFrames - 1);
    blip.feed(0, 40);
    assert.strictEqual(blip.closed.length, 0);
    assert.strictEqual(blip.seg.speaking, false, 'the blip closed, it just was not reported');

    const word = new Stream();
    word.feed(0, 10);
    word.feed(0.99, minFrames);
    word.feed(0, 40);
    assert.strictEqual(word.closed.length, 1);
    assert.strictEqual(word.closed[0].u.id, 1, 'dropped blips use no ids');
  });

  it('cuts at the maximum length and carries on without a gap or an overlap', () => {
    const maxUtteranceMs = 2000;
    const s = new Stream({ maxUtteranceMs });
    s.feed(0, 20);
    s.feed(0.95, 200); // 6.4 s of speech
    s.feed(0, 40);
    const us = s.closed.map((c) => c.u);
    assert.ok(us.length >= 3, `${us.length} utterances`);
    const cuts = us.slice(0, -1);
    for (const u of cuts) {
      assert.strictEqual(u.reason, 'max-length');
      // Cut at the quietest point of the second half (these frames grow louder: its start).
      assert.ok(u.samples.length >= ms(maxUtteranceMs / 2) && u.samples.length < ms(maxUtteranceMs) + FRAME, `length ${u.samples.length}`);
    }
    assert.strictEqual(us[us.length - 1].reason, 'silence');
    assert.strictEqual(us[0].startSample, 20 * FRAME - ms(PRE_ROLL_MS));
    for (let i = 1; i < us.length; i++)
      assert.strictEqual(us[i].startSample, us[i - 1].endSample, `utterance ${i + 1} starts where ${i} ended`);
    assert.strictEqual(us[us.length - 1].lastVoicedSample, 220 * FRAME);
    us.forEach(assertContiguous);
    assert.deepStrictEqual(
      us.map((u) => u.id),
      us.map((_, i) => i + 1),
    );
  });

  it('flushes an open utterance at the end of the stream', () => {
    const s = new Stream();
    s.feed(0, 10);
    s.feed(0.9, 30);
    s.feed(0.1, 10); // 320 ms of silence: more than the post-roll, less than the hangover
    assert.strictEqual(s.closed.length, 0);
    const u = s.flush();
    assert.ok(u);
    assert.strictEqual(u.reason, 'end-of-stream');
    assert.strictEqual(u.lastVoicedSample, 40 * FRAME);
    assert.strictEqual(u.endSample, 40 * FRAME + ms(POST_ROLL_MS), 'post-roll only, not all the trailing silence');
    assertContiguous(u);
    assert.strictEqual(s.seg.speaking, false);
    assert.strictEqual(s.seg.flush(), undefined, 'nothing left after a flush');
    assert.strictEqual(cutOffInSpeech(u), false, 'the speech had ended before the stream did');
  });

  it('flushes speech that is still going on right to the last sample', () => {
    const s = new Stream();
    s.feed(0.9, 30);
    const u = s.flush();
    assert.ok(u);
    assert.strictEqual(u.startSample, 0);
    assert.strictEqual(u.endSample, 30 * FRAME);
    assertContiguous(u);
    assert.strictEqual(cutOffInSpeech(u), true, 'the end of the stream cut it off in speech');
    // A frame or two of quiet before the end (a gap between words) still counts; a pause past the post-roll does not.
    const gap = new Stream();
    gap.feed(0.9, 30);
    gap.feed(0.1, 2);
    assert.strictEqual(cutOffInSpeech(gap.flush()!), true);
  });

  it('flush gives nothing when no speech is open, or when the open speech is only a blip', () => {
    const quiet = new Stream();
    quiet.feed(0.2, 50);
    assert.strictEqual(quiet.flush(), undefined);
    const blip = new Stream();
    blip.feed(0.9, 2);
    assert.strictEqual(blip.flush(), undefined);
  });

  it('applies hysteresis: opens at the threshold, stays open down to threshold - 0.15', () => {
    const s = new Stream({ threshold: 0.5 });
    s.feed(0.45, 20);
    assert.strictEqual(s.seg.speaking, false, 'below the threshold does not open');
    s.feed(0.5, 1);
    assert.strictEqual(s.seg.speaking, true, 'exactly the threshold opens');
    s.feed(0.6, 10);
    s.feed(0.36, 60); // between 0.35 and 0.5 for longer than the hangover
    assert.strictEqual(s.closed.length, 0, 'probabilities above threshold - 0.15 keep the utterance open');
    assert.strictEqual(s.seg.speaking, true);
    s.feed(0.3, 40);
    assert.strictEqual(s.closed.length, 1);
    const { u } = s.closed[0];
    assert.strictEqual(u.lastVoicedSample, 91 * FRAME, 'the in-between frames count as voiced');
    assertContiguous(u);
  });

  it('keeps a floor under the closing threshold for low opening thresholds', () => {
    const s = new Stream({ threshold: 0.1 });
    s.feed(0.1, 10);
    s.feed(0.02, 30); // above the 0.01 floor: still speech
    assert.strictEqual(s.seg.speaking, true);
    s.feed(0.0, 30);
    assert.strictEqual(s.closed.length, 1);
  });

  it("separates two utterances; the second one's pre-roll never reaches back into the first", () => {
    const s = new Stream();
    s.feed(0, 10);
    s.feed(0.9, 20);
    s.feed(0, 19); // closes exactly here (600 ms = 18.75 frames)
    assert.strictEqual(s.closed.length, 1);
    s.feed(0.9, 15);
    s.feed(0, 30);
    assert.strictEqual(s.closed.length, 2);
    const [a, b] = s.closed.map((c) => c.u);
    assert.strictEqual(b.startSample, 49 * FRAME - ms(PRE_ROLL_MS));
    assert.ok(b.startSample >= a.endSample);
    assertContiguous(a);
    assertContiguous(b);
    assert.deepStrictEqual([a.id, b.id], [1, 2]);
  });

  it('gives back-to-back utterances with a short gap no overlapping samples', () => {
    const s = new Stream({ hangoverMs: 100 });
    s.feed(0.9, 10);
    s.feed(0, 4); // 128 ms closes at 100 ms
    s.feed(0.9, 10);
    s.feed(0, 10);
    const [a, b] = s.closed.map((c) => c.u);
    assert.ok(a && b);
    assert.ok(b.startSample >= a.endSample, `b starts at ${b.startSample}, a ends at ${a.endSample}`);
    assertContiguous(a);
    assertContiguous(b);
  });

  it('counts the stream position in samples', () => {
    const s = new Stream();
    s.feed(0, 7);
    assert.strictEqual(s.seg.streamPosition, 7 * FRAME);
  });
});

describe('UtteranceSegmenter energy assist', () => {
  /** A frame of a sine at `db` dBFS RMS. */
  function tone(db: number): Float32Array {
    const amp = Math.pow(10, db / 20) * Math.SQRT2;
    return Float32Array.from({ length: FRAME }, (_, i) => amp * Math.sin(i * 0.3));
  }

  it('opens on quiet speech Silero is unsure of when it stands 20 dB clear of the noise floor for three frames', () => {
    const seg = new UtteranceSegmenter();
    for (let i = 0; i < 30; i++) assert.strictEqual(seg.push(tone(-60), 0.01), undefined);
    seg.push(tone(-30), 0.25);
    seg.push(tone(-30), 0.25);
    assert.ok(!seg.speaking, 'two frames are not enough');
    seg.push(tone(-30), 0.25);
    assert.ok(seg.speaking, 'the third opens the utterance');
    // Syllables: the level rises and falls (a steady one would be a held tone, dropped).
    for (let i = 0; i < 20; i++) seg.push(tone(i % 2 ? -30 : -36), 0.22);
    let u;
    for (let i = 0; i < 80 && !u; i++) u = seg.push(tone(-60), 0.01);
    assert.ok(u, 'it closes after the hangover');
    assert.ok(u!.lastVoicedSample - u!.startSample > 20 * FRAME, 'the quiet speech counted as voiced');
  });

  it('never opens on loud steady noise, whatever its level, nor with the assist off', () => {
    const loud = new UtteranceSegmenter();
    for (let i = 0; i < 200; i++) assert.strictEqual(loud.push(tone(-10), 0.3), undefined);
    assert.ok(!loud.speaking);
    const off = new UtteranceSegmenter({ energyAssist: false });
    for (let i = 0; i < 30; i++) off.push(tone(-60), 0.01);
    for (let i = 0; i < 10; i++) off.push(tone(-30), 0.3);
    assert.ok(!off.speaking);
  });
});

/** Speech-like frames: noise whose level rises and falls every few frames, `db` dBFS RMS at its loudest. */
function syllables(count: number, db: number, seed = 1): Float32Array[] {
  let x = seed;
  const rand = () => ((x = (x * 1664525 + 1013904223) >>> 0) / 4294967296) * 2 - 1;
  const amp = Math.pow(10, db / 20) * Math.sqrt(3);
  return Array.from({ length: count }, (_, f) => {
    const g = f % 5 < 3 ? 1 : 0.2;
    return Float32Array.from({ length: FRAME }, () => amp * g * rand());
  });
}

describe('UtteranceSegmenter forced cut', () => {
  it('cuts at the quietest stretch before the limit, not at the limit, and carries the rest on without a gap', () => {
    const seg = new UtteranceSegmenter();
    // 40 s of continuous speech with one 150 ms pause, 2 s before the limit.
    const pauseAt = ms(MAX_UTTERANCE_MS - 2000);
    const frames = syllables(Math.ceil(ms(40000) / FRAME), -20);
    const stream = new Float32Array(frames.length * FRAME);
    frames.forEach((f, i) => stream.set(f, i * FRAME));
    stream.fill(0.0005, pauseAt, pauseAt + ms(150));
    const us: Utterance[] = [];
    for (let f = 0; f < frames.length; f++) {
      const u = seg.push(stream.subarray(f * FRAME, (f + 1) * FRAME), 0.95);
      if (u) us.push(u);
    }
    const last = seg.flush();
    if (last) us.push(last);
    assert.strictEqual(us.length, 2);
    assert.strictEqual(us[0].reason, 'max-length');
    assert.ok(us[0].endSample > pauseAt && us[0].endSample < pauseAt + ms(150), `cut at ${us[0].endSample}, the pause is at ${pauseAt}`);
    assert.strictEqual(us[1].startSample, us[0].endSample);
    assert.strictEqual(us[1].endSample, stream.length);
    assert.deepStrictEqual(us[0].samples, stream.subarray(0, us[0].endSample));
    assert.deepStrictEqual(us[1].samples, stream.subarray(us[1].startSample));
  });

  it('without a pause, cuts at the quietest stretch of the last CUT_SEARCH_MS', () => {
    const buffer = new Float32Array(ms(10000)).fill(0.1);
    buffer.fill(0.05, ms(8000), ms(8100)); // quieter, in the window
    buffer.fill(0.0, ms(2000), ms(2100)); // silent, but too far back
    const at = quietestPoint(buffer, buffer.length, ms(CUT_SEARCH_MS), ms(100), ms(10));
    assert.ok(Math.abs(at - ms(8050)) <= ms(10), `cut at ${at}`);
    // Flat: the latest point.
    const flat = new Float32Array(ms(5000)).fill(0.1);
    assert.ok(quietestPoint(flat, flat.length, ms(CUT_SEARCH_MS), ms(100), ms(10)) >= flat.length - ms(100));
  });
});

describe('UtteranceSegmenter held tones', () => {
  const SR = 16000;
  /** Four three-note chords, a second each, `db` dBFS RMS. */
  function chords(db: number): Float32Array {
    const notes = [
      [261.63, 329.63, 392],
      [293.66, 369.99, 440],
      [329.63, 415.3, 493.88],
      [220, 277.18, 329.63],
    ];
    const amp = (Math.pow(10, db / 20) * Math.SQRT2) / Math.sqrt(3);
    return Float32Array.from({ length: 4 * SR }, (_, i) =>
      notes[Math.floor(i / SR)].reduce((a, f) => a + amp * Math.sin((2 * Math.PI * f * i) / SR), 0),
    );
  }

  function utterances(samples: Float32Array, probability: number): Utterance[] {
    const seg = new UtteranceSegmenter();
    const out: Utterance[] = [];
    for (let f = 0; (f + 1) * FRAME <= samples.length; f++) {
      const u = seg.push(samples.subarray(f * FRAME, (f + 1) * FRAME), probability);
      if (u) out.push(u);
    }
    const last = seg.flush();
    if (last) out.push(last);
    return out;
  }

  it('held chords move less than the steady limit from frame to frame, at any level', () => {
    for (const db of [-50, -30, -15]) assert.ok(levelChangeDb(chords(db)) < STEADY_MAX_DB, `chords at ${db} dBFS`);
  });

  it('drops an utterance of held chords Silero took for speech', () => {
    assert.deepStrictEqual(utterances(chords(-20), 0.9), []);
  });
});
