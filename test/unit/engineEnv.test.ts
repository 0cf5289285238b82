import * as assert from 'assert';
import { ENGINE_ENV, engineEnvironment } from '../../src/engineEnv';

/** An extension host's environment as it may be: a debugger's NODE_OPTIONS, a debug variable, its own malloc tuning. */
const PARENT: NodeJS.ProcessEnv = {
  PATH: '/usr/bin:/bin',
  LD_LIBRARY_PATH: '/snap/code/current/usr/lib',
  HOME: '/home/ada',
  USER: 'ada',
  LANG: 'de_DE.UTF-8',
  LC_ALL: 'de_DE.UTF-8',
  TMPDIR: '/tmp/ada',
  XDG_RUNTIME_DIR: '/run/user/1000',
  XDG_CACHE_HOME: '/home/ada/.cache',
  PULSE_SERVER: 'unix:/run/user/1000/pulse/native',
  NODE_OPTIONS: '--inspect=9229 --max-old-space-size=8192',
  VOICEFLOW_DUMP_UTTERANCES: '/tmp/utterances',
  VOICEFLOW_CACHE_DIR: '/tmp/elsewhere',
  MALLOC_ARENA_MAX: '16',
  MALLOC_MMAP_THRESHOLD_: '1048576',
  UV_THREADPOOL_SIZE: '1',
  ORT_DISABLE_TELEMETRY: '0',
  ELECTRON_RUN_AS_NODE: undefined,
  VSCODE_PID: '4242',
  ELECTRON_NO_ATTACH_CONSOLE: '1',
  AWS_SECRET_ACCESS_KEY: 'not for the engine',
};

describe('engineEnvironment', () => {
  it('passes on what a process needs: PATH, HOME, locale, temp, XDG_* and the audio server', () => {
    const env = engineEnvironment(PARENT, {}, 'linux');
    for (const name of [
      'PATH',
      'LD_LIBRARY_PATH',
      'HOME',
      'USER',
      'LANG',
      'LC_ALL',
      'TMPDIR',
      'XDG_RUNTIME_DIR',
      'XDG_CACHE_HOME',
      'PULSE_SERVER',
    ]) {
      assert.strictEqual(env[name], PARENT[name], name);
    }
  });

  it("keeps the parent's NODE_OPTIONS, VOICEFLOW_* debug variables and anything else unlisted from the engine", () => {
    const env = engineEnvironment(PARENT, {}, 'linux');
    for (const name of [
      'NODE_OPTIONS',
      'VOICEFLOW_DUMP_UTTERANCES',
      'VOICEFLOW_CACHE_DIR',
      'VSCODE_PID',
      'ELECTRON_NO_ATTACH_CONSOLE',
      'AWS_SECRET_ACCESS_KEY',
    ]) {
      assert.ok(!(name in env), `${name} reached the engine`);
    }
  });

  it("sets the engine's memory settings over the parent's", () => {
    const env = engineEnvironment(PARENT, {}, 'linux');
    for (const [name, value] of Object.entries(ENGINE_ENV)) assert.strictEqual(env[name], value, name);
  });

  it('turns telemetry off and runs as Node whatever the parent or the caller pass', () => {
    const env = engineEnvironment(PARENT, { ORT_DISABLE_TELEMETRY: '0', ELECTRON_RUN_AS_NODE: '' }, 'linux');
    assert.strictEqual(env.ORT_DISABLE_TELEMETRY, '1');
    assert.strictEqual(env.ELECTRON_RUN_AS_NODE, '1');
  });

  it("passes what the caller sets on purpose: a debug variable, another HOME, a malloc lever of the bench's A/B", () => {
    const env = engineEnvironment(PARENT, { VOICEFLOW_DUMP_UTTERANCES: '/tmp/dump', HOME: '/tmp/fresh', MALLOC_ARENA_MAX: '16' }, 'linux');
    assert.strictEqual(env.VOICEFLOW_DUMP_UTTERANCES, '/tmp/dump');
    assert.strictEqual(env.HOME, '/tmp/fresh');
    assert.strictEqual(env.MALLOC_ARENA_MAX, '16');
    assert.strictEqual(env.MALLOC_MMAP_THRESHOLD_, ENGINE_ENV.MALLOC_MMAP_THRESHOLD_);
  });

  it('matches Windows names whatever their case (Path, SystemRoot, windir)', () => {
    const env = engineEnvironment(
      { Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', windir: 'C:\\Windows', USERPROFILE: 'C:\\Users\\ada', NODE_OPTIONS: '--inspect' },
      {},
      'win32',
    );
    assert.deepStrictEqual(
      Object.keys(env)
        .filter((k) => !(k in ENGINE_ENV) && k !== 'ORT_DISABLE_TELEMETRY' && k !== 'ELECTRON_RUN_AS_NODE')
        .sort(),
      ['Path', 'SystemRoot', 'USERPROFILE', 'windir'],
    );
    // On Linux, names are case-sensitive: `path` is not PATH.
    assert.ok(!('path' in engineEnvironment({ path: '/x' }, {}, 'linux')));
  });
});
