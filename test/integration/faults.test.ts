/**
 * An engine that hangs or dies: the client notices, says so in a sentence, and the caller can start a new one.
 * A hang is simulated with SIGSTOP (the process is there but answers nothing), a crash with SIGKILL.
 */
import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EngineClient, EngineRequestError, HEARTBEAT_TIMEOUT_MS } from '../../src/engineClient';
import { encodeWav16, parseWav } from '../../src/engine/audio/wav';
import { EngineErrorCode } from '../../src/protocol';
import { AUDIO_DIR } from '../audioFixtures';
import { CLI, ENGINE, tempDir, words } from './engineHarness';

const JFK = path.join(AUDIO_DIR, 'jfk.wav');
const JFK_TEXT = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

async function rejection(p: Promise<unknown>): Promise<EngineRequestError> {
  try {
    await p;
  } catch (err) {
    return err as EngineRequestError;
  }
  throw new Error('expected the request to fail');
}

/** The engine process the CLI started (its child running dist/engine.js), from /proc. */
function engineChildOf(parentPid: number): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parentPid && fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('engine.js')) return Number(entry);
    } catch {
      /* gone meanwhile */
    }
  }
  return undefined;
}

describe('engine faults', function () {
  let engine: EngineClient | undefined;
  let tmp: string;

  before(() => (tmp = tempDir('faults')));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  afterEach(async () => {
    if (engine?.pid && engine.running) {
      try {
        process.kill(engine.pid, 'SIGCONT');
      } catch {
        /* already gone */
      }
    }
    await engine?.shutdown();
    engine = undefined;
  });

  it('a hung engine is caught by the heartbeat: killed, its pending request fails with a sentence, a new one works', async function () {
    engine = EngineClient.start({ enginePath: ENGINE, heartbeat: { intervalMs: 200, timeoutMs: 2000, restarts: true } });
    await engine.initialize({ model: 'tiny' });
    process.kill(engine.pid!, 'SIGSTOP');
    const err = await rejection(engine.transcribeFile({ path: JFK }));
    assert.strictEqual(err.message, 'The speech engine stopped answering for 2 s and was restarted.');
    assert.strictEqual(err.code, EngineErrorCode.Internal);
    const exit = await engine.exited;
    assert.strictEqual(exit.signal, 'SIGKILL');
    assert.strictEqual(exit.hung, 'The speech engine stopped answering for 2 s and was restarted.');
    assert.ok(!engine.running);
    // A request after the hang says the same, instead of waiting.
    assert.strictEqual((await rejection(engine.metrics())).message, exit.hung);

    // What the extension's EngineHost does on exit: start another engine, which serves as before.
    engine = EngineClient.start({ enginePath: ENGINE, heartbeat: { intervalMs: 200, timeoutMs: 2000, restarts: true } });
    await engine.initialize({ model: 'tiny' });
    assert.strictEqual(words((await engine.transcribeFile({ path: JFK })).text), words(JFK_TEXT));
  });

  it('a long transcription does not look like a hang: pings are answered between inference runs', async function () {
    // 60 s of speech: jfk.wav five times over, 1 s apart.
    const jfk = parseWav(fs.readFileSync(JFK)).samples;
    const long = new Float32Array(60 * 16000);
    for (let k = 0; k < 5; k++) long.set(jfk.subarray(0, Math.min(jfk.length, long.length - k * 12 * 16000)), k * 12 * 16000);
    const file = path.join(tmp, 'long60.wav');
    fs.writeFileSync(file, encodeWav16(long, 16000));
    engine = EngineClient.start({ enginePath: ENGINE, heartbeat: { intervalMs: 100, timeoutMs: HEARTBEAT_TIMEOUT_MS } });
    await engine.initialize({ model: 'tiny' });
    const before = engine.pingMs.length;
    const r = await engine.transcribeFile({ path: file });
    assert.ok(normalizedCount(r.text, 'country') >= 5, r.text);
    assert.ok(engine.running, 'the engine was taken for hung');
    assert.ok(engine.pingMs.length > before, 'no ping was answered during the transcription');
  });

  it('a request the engine does not answer in time fails with a sentence naming it', async function () {
    engine = EngineClient.start({ enginePath: ENGINE, requestTimeoutMs: { metrics: 500 } });
    await engine.metrics();
    process.kill(engine.pid!, 'SIGSTOP');
    const err = await rejection(engine.metrics());
    assert.strictEqual(err.message, 'The speech engine did not answer metrics within 0.5 s.');
  });

  it('a request pending when the engine dies fails with its exit', async function () {
    engine = EngineClient.start({ enginePath: ENGINE });
    await engine.initialize({ model: 'tiny' });
    process.kill(engine.pid!, 'SIGSTOP');
    const pending = engine.transcribeFile({ path: JFK });
    process.kill(engine.pid!, 'SIGKILL');
    assert.strictEqual((await rejection(pending)).message, 'The speech engine exited (SIGKILL) before answering.');
  });

  it('voiceflow listen exits non-zero and says so when the engine dies mid-session', async function () {
    if (process.platform !== 'linux') this.skip(); // finds the engine through /proc
    const cli: ChildProcess = spawn(process.execPath, [CLI, 'listen', '--input', JFK, '--realtime'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const listening = new Promise<void>((resolve) =>
      cli.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/listening on/.test(stderr)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    await Promise.race([listening, exited]);
    const pid = engineChildOf(cli.pid!);
    assert.ok(pid, `no engine process under the CLI (${cli.pid}); stderr: ${stderr}`);
    process.kill(pid, 'SIGKILL');
    const code = await exited;
    assert.strictEqual(code, 1, `exit code ${code}; stderr: ${stderr}`);
    assert.match(stderr, /voiceflow: the speech engine died during the session \(killed by SIGKILL\)\./);
  });
});

function normalizedCount(text: string, word: string): number {
  return words(text)
    .split(' ')
    .filter((w) => w === word).length;
}
