import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { dropSpareWhisperWorker, prestartWhisperWorker, takeWhisperWorker } from '../../../../src/engine/whisper/spareWorker';

describe('the spare speech-model worker, started with the engine', () => {
  let dir: string;
  let echo: string;
  let failing: string;
  const started: Worker[] = [];
  const take = (script: string) => {
    const w = takeWhisperWorker(script);
    started.push(w);
    return w;
  };
  const answers = (w: Worker) =>
    new Promise<string>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.postMessage('ping');
    });

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-spare-'));
    echo = path.join(dir, 'echo.js');
    fs.writeFileSync(
      echo,
      "require('worker_threads').parentPort.on('message', (m) => require('worker_threads').parentPort.postMessage(m + ' back'));",
    );
    failing = path.join(dir, 'failing.js');
    fs.writeFileSync(failing, "throw new Error('boom');");
  });
  after(async () => {
    dropSpareWhisperWorker();
    await Promise.all(started.map((w) => w.terminate()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hands the started worker to the first load only, and it works', async () => {
    prestartWhisperWorker(echo);
    const first = take(echo);
    const second = take(echo);
    assert.notStrictEqual(first, second, 'the second load starts its own');
    assert.strictEqual(await answers(first), 'ping back');
    assert.strictEqual(await answers(second), 'ping back');
  });

  it('does not hand out a spare for another script, nor one that died', async () => {
    prestartWhisperWorker(echo);
    const other = take(failing); // not the spare's script: a new worker, the spare stays
    await assert.rejects(answers(other), /boom/);
    const spare = take(echo);
    assert.strictEqual(await answers(spare), 'ping back');

    prestartWhisperWorker(failing);
    await new Promise((resolve) => setTimeout(resolve, 500)); // it fails while nobody holds it: not an uncaught error
    const fresh = take(failing);
    await assert.rejects(answers(fresh), /boom/, 'a new worker, whose failure the load sees');
  });
});
