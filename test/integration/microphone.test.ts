/**
 * Live dictation through a real capture path: a private PulseAudio whose null sink is the default microphone.
 * Clips are played into it at real-time pace; the engine hears them through pvrecorder (and naudiodon where it is
 * installed), exactly as it would hear a person.
 */
import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { EngineClient } from '../../src/engineClient';
import {
  CaptureBackend,
  EngineErrorCode,
  ErrorNotification,
  FinalNotification,
  SessionEndNotification,
  StateNotification,
} from '../../src/protocol';
import { loadClip } from '../audioFixtures';
import { FakeMicrophone, sleep } from '../../eval/fakeMicrophone';
import { assertHeardLive, CLI, ENGINE, rejects, whiteNoise } from './engineHarness';

const JFK = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const HANGOVER_MS = 1500; // longer than jfk.wav's inner pauses (1.0-1.3 s): each clip is one utterance
const PAUSE_MS = 2500;

function naudiodonInstalled(): boolean {
  try {
    // Loading it is the check: it compiles at install and may be missing or built for another Node.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('naudiodon');
    return true;
  } catch {
    return false;
  }
}

/** Collects what the engine says during a session. */
function listenTo(engine: EngineClient) {
  const finals: FinalNotification[] = [];
  const errors: ErrorNotification[] = [];
  const states: StateNotification[] = [];
  const subs = [engine.onFinal((n) => finals.push(n)), engine.onError((e) => errors.push(e)), engine.onState((s) => states.push(s))];
  const ended = new Promise<SessionEndNotification>((resolve) => subs.push(engine.onSessionEnd(resolve)));
  return { finals, errors, states, ended, dispose: () => subs.forEach((s) => s.dispose()) };
}

describe('live dictation from a fake microphone', function () {
  this.timeout(180000);
  const mic = new FakeMicrophone();

  before(async function () {
    assert.ok(FakeMicrophone.available(), 'pulseaudio and pacat are needed (apt packages pulseaudio pulseaudio-utils libasound2-plugins)');
    await mic.start();
  });
  after(async () => mic.dispose());

  const backends: CaptureBackend[] = ['pvrecorder'];
  if (naudiodonInstalled()) backends.push('naudiodon');
  else console.log('    (naudiodon is not installed here: its live tests do not run)');

  for (const backend of backends) {
    describe(`${backend} backend`, function () {
      let engine: EngineClient;
      before(async function () {
        await mic.start();
        engine = EngineClient.start({ enginePath: ENGINE, env: mic.env });
        await engine.initialize({ model: 'tiny', hangoverMs: HANGOVER_MS });
      });
      after(async () => engine?.shutdown());

      it('lists the fake microphone among the input devices', async function () {
        const { devices } = await engine.listDevices({ backend });
        assert.ok(devices.some((d) => d.index === -1 && d.isDefault));
        assert.ok(devices.length >= 2, JSON.stringify(devices));
      });

      it('hears each clip as one final text, in order, with no first word clipped; silence and noise give nothing', async function () {
        const clips: Array<[string, string]> = [
          ['jfk.wav', JFK],
          ['cards/001.wav', 'ten of clubs'],
          ['cards/002.wav', 'four queen of clubs'],
          ['cards/003.wav', 'seven of clubs'],
          ['cards/004.wav', 'five five'],
          ['cards/005.wav', 'eight of spades four of clubs seven of hearts'],
        ];
        const session = listenTo(engine);
        try {
          const { device } = await engine.start({ source: { kind: 'microphone', backend } });
          assert.ok(device.length > 0);
          await sleep(1000);
          for (const [file] of clips) {
            await mic.play(loadClip(file));
            await sleep(PAUSE_MS);
          }
          // Negative control: 3 s of nothing, then 3 s of white noise.
          await sleep(3000);
          const noise = new Float32Array(3 * 16000);
          const n = whiteNoise(0.3, 4242);
          for (let i = 0; i < noise.length; i++) noise[i] = n(i);
          await mic.play(noise);
          await sleep(PAUSE_MS);
          const end = await engine.stop();
          assert.ok(end && end.reason === 'stopped');
          await session.ended;
          assert.deepStrictEqual(session.errors, []);
          const heard = session.finals.filter((f) => f.text !== '');
          assert.strictEqual(
            heard.length,
            clips.length,
            session.finals
              .map((f) => `${f.text || '(empty)'}${f.rejected ? ` [${f.rejected}]` : ''} @${Math.round(f.startMs)}-${Math.round(f.endMs)}`)
              .join(' | '),
          );
          clips.forEach(([file, transcript], i) => assertHeardLive(file, heard[i].text, transcript));
          for (const f of heard) {
            assert.ok(f.endOfSpeechToTextMs >= f.processingMs, 'end of speech to text includes processing');
            assert.ok(f.endOfSpeechToTextMs > HANGOVER_MS / 2, 'and the hangover');
          }
          assert.ok(session.states.some((s) => s.state === 'speech'));
          assert.strictEqual(end!.overruns, 0);
        } finally {
          session.dispose();
        }
      });

      // After 5 s with nothing voiced, pvrecorder is read several frames at a time and the VAD scores them in one call
      // (session.ts, "Idle blocks"): the first words after such a pause must still be heard whole, and at their place
      // in the audio (no frame lost or repeated in the blocks: the utterance's position is counted in samples, the
      // clip's in wall time). Digital silence is under the energy gate and never reaches Silero; a quiet room
      // (white noise at -50 dBFS, under the speech too) does, block by block.
      if (backend === 'pvrecorder') {
        for (const [room, noiseRms] of [
          ['digital silence', 0],
          ['a quiet room (noise at -50 dBFS)', 10 ** (-50 / 20)],
        ] as const) {
          it(`after 8 s of ${room}, read in blocks, hears the next words whole and where they were said`, async function () {
            const jfk = loadClip('jfk.wav');
            const leadMs = 8000;
            const audio = new Float32Array((leadMs / 1000) * 16000 + jfk.length + 16000);
            audio.set(jfk, (leadMs / 1000) * 16000);
            const noise = whiteNoise(noiseRms * Math.sqrt(3), 77);
            for (let i = 0; i < audio.length; i++) audio[i] += noise(i);
            const onsetMs = leadMs + (jfk.findIndex((v) => Math.abs(v) > 0.05) / 16000) * 1000;
            const session = listenTo(engine);
            try {
              await engine.start({ source: { kind: 'microphone', backend } });
              const t0 = performance.now();
              await sleep(200);
              const playedAt = performance.now() - t0;
              await mic.play(audio);
              await sleep(PAUSE_MS);
              const end = await engine.stop();
              await session.ended;
              assert.deepStrictEqual(session.errors, []);
              const heard = session.finals.filter((f) => f.text !== '');
              assert.strictEqual(heard.length, 1, heard.map((f) => f.text).join(' | '));
              assertHeardLive('jfk.wav', heard[0].text, JFK);
              // Starting the device and the player both take a moment: a few hundred ms either way, never a block.
              const saidAt = playedAt + onsetMs;
              assert.ok(
                Math.abs(heard[0].startMs - saidAt) < 600,
                `the utterance starts at ${Math.round(heard[0].startMs)} ms of the session's audio, the words were said at ~${Math.round(saidAt)} ms`,
              );
              assert.strictEqual(end!.overruns, 0);
            } finally {
              session.dispose();
            }
          });
        }
      }

      it('reports a microphone that disappears, returns to idle, and listens again once it is back', async function () {
        const session = listenTo(engine);
        try {
          await engine.start({ source: { kind: 'microphone', backend } });
          await sleep(500);
          await mic.stopServer();
          const end = await session.ended;
          assert.strictEqual(end.reason, 'error');
          assert.strictEqual(session.errors.length, 1);
          assert.strictEqual(session.errors[0].code, EngineErrorCode.DeviceLost);
          assert.match(session.errors[0].message, /microphone/i);
          await sleep(200);
          assert.strictEqual(session.states[session.states.length - 1].state, 'idle');
        } finally {
          session.dispose();
        }
        // No device at all: a clear error, and the engine stays up.
        await rejects(engine.start({ source: { kind: 'microphone', backend } }), EngineErrorCode.DeviceNotFound, /microphone/i);
        await mic.start();
        const again = listenTo(engine);
        try {
          await engine.start({ source: { kind: 'microphone', backend } });
          await sleep(1000);
          await mic.play(loadClip('goforward.wav'));
          await sleep(PAUSE_MS);
          await engine.stop();
          const back = again.finals.filter((f) => f.text);
          assert.strictEqual(back.length, 1, back.map((f) => f.text).join(' | '));
          assertHeardLive('goforward.wav', back[0].text, 'go forward ten meters');
        } finally {
          again.dispose();
        }
      });
    });
  }

  it('a capture backend that fails to load gives a clear error naming the default, and the default still works', async function () {
    const engine = EngineClient.start({
      enginePath: ENGINE,
      env: mic.env,
      execArgv: ['--require', path.join(__dirname, '..', '..', '..', 'test', 'integration', 'fixtures', 'naudiodonMissing.js')],
    });
    try {
      await engine.initialize({ model: 'tiny' });
      await rejects(
        engine.start({ source: { kind: 'microphone', backend: 'naudiodon' } }),
        EngineErrorCode.BackendUnavailable,
        /naudiodon.*pvrecorder/s,
      );
      await rejects(engine.listDevices({ backend: 'naudiodon' }), EngineErrorCode.BackendUnavailable, /pvrecorder/);
      const { device } = await engine.start({ source: { kind: 'microphone', backend: 'pvrecorder' } });
      assert.ok(device);
      await engine.stop();
    } finally {
      await engine.shutdown();
    }
  });

  it('voiceflow listen hears the microphone, prints JSON lines, and Ctrl+C stops it cleanly', async function () {
    const cli: ChildProcess = spawn(process.execPath, [CLI, 'listen', '--json'], { env: mic.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    cli.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    cli.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30000;
    while (!/listening on/.test(stderr)) {
      assert.ok(Date.now() < deadline, `the CLI did not start listening: ${stderr}`);
      await sleep(100);
    }
    await sleep(1000);
    await mic.play(loadClip('cards/005.wav'));
    await sleep(PAUSE_MS);
    cli.kill('SIGINT');
    assert.strictEqual(await exited, 0, stderr);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.strictEqual(lines.length, 1, stdout);
    assertHeardLive('cards/005.wav', lines[0].text, 'eight of spades four of clubs seven of hearts');
    for (const k of ['startMs', 'endMs', 'processingMs', 'endOfSpeechToTextMs']) assert.strictEqual(typeof lines[0][k], 'number', k);
    assert.ok(lines[0].endOfSpeechToTextMs > lines[0].processingMs);
  });
});
