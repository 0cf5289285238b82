/**
 * A real microphone path on a machine without a sound card: a private PulseAudio whose null sink's monitor is the
 * default source (shared notes: fake-microphone.md). What is played into the sink is what every capture library
 * hears, at real-time pace. Used by the microphone tests and the benchmark's live section.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultCacheDir } from '../src/engine/models/preparedCache';

const SINK = 'fakemic';

export class FakeMicrophone {
  private server?: ChildProcess;
  private players = new Set<ChildProcess>();
  readonly dir: string;
  /** The environment a capture process needs to reach this server (and only this one). */
  readonly env: NodeJS.ProcessEnv;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'voiceflow-mic-'));
    fs.mkdirSync(path.join(this.dir, 'run'), { mode: 0o700 });
    fs.mkdirSync(path.join(this.dir, 'home'));
    this.env = {
      ...process.env,
      XDG_RUNTIME_DIR: path.join(this.dir, 'run'),
      HOME: path.join(this.dir, 'home'),
      // The private HOME is for PulseAudio only: the engine keeps using the user's prepared-model cache.
      VOICEFLOW_CACHE_DIR: defaultCacheDir(),
      PULSE_SERVER: `unix:${path.join(this.dir, 'run', 'pulse', 'native')}`,
    };
  }

  static available(): boolean {
    try {
      execFileSync('pulseaudio', ['--version'], { stdio: 'ignore' });
      execFileSync('pacat', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  get running(): boolean {
    return this.server !== undefined && this.server.exitCode === null && this.server.signalCode === null;
  }

  /** Starts the server and makes the sink's monitor the default source. */
  async start(): Promise<void> {
    if (this.running) return;
    this.server = spawn(
      'pulseaudio',
      [
        '-n',
        '--daemonize=no',
        '--exit-idle-time=-1',
        '--disallow-exit',
        '--log-target=stderr',
        '--log-level=error',
        '-L',
        'module-native-protocol-unix auth-anonymous=1',
        '-L',
        `module-null-sink sink_name=${SINK} rate=16000 channels=1 format=s16le`,
      ],
      { env: this.env, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    let stderr = '';
    this.server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 10000;
    for (;;) {
      try {
        execFileSync('pactl', ['set-default-source', `${SINK}.monitor`], { env: this.env, stdio: 'pipe' });
        return;
      } catch {
        if (!this.running || Date.now() > deadline) {
          throw new Error(`the fake microphone's PulseAudio did not start: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
        }
        await sleep(100);
      }
    }
  }

  /** Plays 16 kHz mono float samples into the sink, in real time; resolves when the last sample has been played. */
  play(samples: Float32Array): Promise<void> {
    const { player, done } = playIntoSink(samples, this.env);
    this.players.add(player);
    return done.finally(() => this.players.delete(player));
  }

  /** Stops the server (as when a device disappears); the folder stays for a restart. */
  async stopServer(): Promise<void> {
    for (const p of this.players) p.kill('SIGKILL');
    const server = this.server;
    if (!server || !this.running) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      server.kill('SIGTERM');
    }
    await Promise.race([exited, sleep(3000)]);
    if (this.running) process.kill(-server.pid!, 'SIGKILL');
  }

  /** Stops everything and removes the folder: nothing is left running. */
  async dispose(): Promise<void> {
    await this.stopServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Plays 16 kHz mono float samples into a fake microphone's sink with pacat, in real time. `env` must reach the server
 * (PULSE_SERVER, as in FakeMicrophone.env); a process that inherited it (the VS Code extension host started by
 * test/vscode/runExtensionTests.ts) passes its own environment. `done` resolves when the last sample has been played.
 */
export function playIntoSink(samples: Float32Array, env: NodeJS.ProcessEnv, sink = SINK): { player: ChildProcess; done: Promise<void> } {
  const pcm = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768))), i * 2);
  }
  const player = spawn('pacat', ['--playback', `--device=${sink}`, '--format=s16le', '--rate=16000', '--channels=1', '--raw'], {
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  player.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  player.stdin!.end(pcm);
  const done = new Promise<void>((resolve, reject) => {
    player.once('error', (err) => reject(new Error(`pacat could not start: ${err.message}`)));
    player.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`pacat exited with ${code}: ${stderr.trim()}`));
    });
  });
  return { player, done };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
