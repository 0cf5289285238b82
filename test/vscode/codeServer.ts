/**
 * Starts and stops a real VS Code server (code-server 4.100.3 = VS Code 1.100.3) for the tests that run inside VS Code.
 * Installed outside the repository by scripts/install-code-server.mjs.
 *
 * Hygiene (shared notes: real-vscode-tests.md): 127.0.0.1 on a free port; fresh user-data, extensions, HOME, XDG_* and
 * TMPDIR under one temp folder; its own process group (spawn detached = setsid), killed as a whole at the end, plus
 * any process that still carries this run's marker variable (the extension host would linger otherwise).
 *
 * Environment: code-server starts with this process's environment (less VSCODE_*, ELECTRON_*, NODE_OPTIONS; HOME,
 * XDG_* and TMPDIR pointed at the temp folder; EXTENSIONS_GALLERY={} and VSCODE_CLI=1), then `options.env` on top.
 * The remote extension host is forked by code-server with that environment (VSCODE_CLI=1 stops VS Code from
 * overlaying a login shell's environment, see codeServerEnv) plus a few VSCODE_* variables of its own, so
 * `process.env` inside an extension or a test suite sees it, and so do the processes the extension spawns.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const CODE_SERVER_VERSION = '4.100.3';

/** Written to user-data/User/settings.json before start; tests may change settings (ConfigurationTarget.Global). */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
};

export interface CodeServerOptions {
  /** Folder opened as the workspace (code-server's positional argument). */
  workspace?: string;
  /** Extra environment for code-server and so for the extension host; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Folder under which user-data, extensions, home, xdg and the log go; a fresh temp folder when omitted. */
  root?: string;
  /** Milliseconds to wait for /healthz (default 60 s). */
  startTimeoutMs?: number;
  /** Extra command-line arguments for code-server. */
  args?: string[];
  /** User settings written over DEFAULT_SETTINGS before start. */
  settings?: Record<string, unknown>;
}

export interface CodeServer {
  readonly host: string;
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** The authority used in vscode-remote:// URIs: 127.0.0.1:PORT. */
  readonly authority: string;
  readonly pid: number;
  readonly root: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly home: string;
  /** code-server's stdout and stderr. */
  readonly logFile: string;
  /** The value of VOICEFLOW_CODE_SERVER_RUN in every process of this server's tree. */
  readonly runId: string;
  exited(): boolean;
  /** Kills the process group (SIGTERM, then SIGKILL), any straggler carrying runId, and removes root if it created it. */
  stop(): Promise<void>;
}

/** Where scripts/install-code-server.mjs put code-server. */
export function codeServerInstallDir(): string {
  return path.resolve(
    process.env.VOICEFLOW_CODE_SERVER_DIR || path.join(os.homedir(), '.cache', 'voiceflow', `code-server-${CODE_SERVER_VERSION}`),
  );
}

export function codeServerEntry(): string {
  const entry = path.join(codeServerInstallDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!fs.existsSync(entry)) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} is not installed (no ${entry}): run \`node scripts/install-code-server.mjs\` first.`,
    );
  }
  return entry;
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function get(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids (other than ours) whose environment holds VOICEFLOW_CODE_SERVER_RUN=runId. Linux /proc only. */
function pidsWithMarker(runId: string): number[] {
  const needle = `VOICEFLOW_CODE_SERVER_RUN=${runId}`;
  const found: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return found;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/environ`, 'latin1').split('\0').includes(needle)) found.push(Number(e));
    } catch {
      /* gone or not ours */
    }
  }
  return found;
}

/**
 * The extension host of this code-server: the parent of the speech engine the extension forked (the engine must be
 * running). Linux /proc only.
 */
export function extensionHostPid(server: CodeServer): number {
  // The engine's environment is filtered (src/engineEnv.ts), so it carries no marker: it is found by its parent.
  const ours = new Set(pidsWithMarker(server.runId));
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (!/engine\.js/.test(fs.readFileSync(`/proc/${e}/cmdline`, 'latin1'))) continue;
      // /proc/PID/stat: "pid (comm) state ppid ...": comm may hold spaces, so count from its closing parenthesis.
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'latin1');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ours.has(parent)) return parent;
    } catch {
      /* gone */
    }
  }
  throw new Error('no speech engine running under this code-server, so no extension host to find');
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The environment code-server starts with (see the file comment). */
export function codeServerEnv(root: string, runId: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // A VS Code terminal's VSCODE_IPC_HOOK_CLI would make code-server open the folder in *that* VS Code instead.
    if (/^(VSCODE_|ELECTRON_)/.test(k) || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  const home = path.join(root, 'home');
  // Short: VS Code puts its CLI socket (vscode-ipc-UUID.sock) here, and a unix socket path must stay under 108 bytes.
  const runtime = path.join(root, 'run');
  for (const d of [
    home,
    runtime,
    path.join(root, 'xdg-config'),
    path.join(root, 'xdg-data'),
    path.join(root, 'xdg-cache'),
    path.join(root, 'xdg-state'),
    path.join(root, 'tmp'),
  ]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.chmodSync(runtime, 0o700);
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(root, 'xdg-config'),
    XDG_DATA_HOME: path.join(root, 'xdg-data'),
    XDG_CACHE_HOME: path.join(root, 'xdg-cache'),
    XDG_STATE_HOME: path.join(root, 'xdg-state'),
    XDG_RUNTIME_DIR: runtime,
    TMPDIR: path.join(root, 'tmp'),
    // No extension gallery (code-server's default is open-vsx.org, unreachable here): no marketplace queries at all.
    EXTENSIONS_GALLERY: '{}',
    // VS Code's server builds the extension host's environment as {...process.env, ...login shell env}: it runs
    // `$SHELL -ilc env` (with our temp HOME), whose /etc/profile replaces PATH. VSCODE_CLI=1 skips that step, as for a
    // desktop `code` started from a terminal, so the extension host gets exactly this environment.
    // (options.env { VSCODE_CLI: undefined } restores the shell resolution.)
    VSCODE_CLI: '1',
    VOICEFLOW_CODE_SERVER_RUN: runId,
  });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const entry = codeServerEntry();
  const ownsRoot = !options.root;
  const root = options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vf-cs-'));
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  // User settings (code-server keeps them on the server side): quiet, offline, nothing opened on startup.
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2) + '\n',
  );
  const logFile = path.join(root, 'code-server.log');
  const runId = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const env = codeServerEnv(root, runId, options.env);
  const host = '127.0.0.1';
  const timeoutMs = options.startTimeoutMs ?? 60_000;

  // A free port can be taken between the probe and code-server's bind: retry a few times.
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort(host);
    const args = [
      entry,
      '--config',
      '/dev/null',
      '--auth',
      'none',
      '--bind-addr',
      `${host}:${port}`,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ...(options.args ?? []),
      ...(options.workspace ? [options.workspace] : []),
    ];
    const out = fs.openSync(logFile, 'a');
    fs.writeSync(out, `\n--- ${new Date().toISOString()} ${process.execPath} ${args.join(' ')}\n`);
    // detached: the child calls setsid(), so it leads a new session and process group (pgid = pid).
    const child: ChildProcess = spawn(process.execPath, args, { cwd: root, env, detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start code-server (${process.execPath} ${entry})`);
    let exitInfo: string | undefined;
    child.on('exit', (code, signal) => (exitInfo = signal ? `signal ${signal}` : `code ${code}`));

    const kill = async (): Promise<void> => {
      for (const [sig, waitMs] of [
        ['SIGTERM', 5000],
        ['SIGKILL', 5000],
      ] as const) {
        if (!groupAlive(pid)) break;
        try {
          process.kill(-pid, sig);
        } catch {
          /* already gone */
        }
        const until = Date.now() + waitMs;
        while (groupAlive(pid) && Date.now() < until) await sleep(100);
      }
      // Anything that left the group (setsid of its own) but still carries this run's marker.
      for (const p of pidsWithMarker(runId)) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    };
    const stop = async (): Promise<void> => {
      await kill();
      if (ownsRoot) fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    };

    const url = `http://${host}:${port}`;
    const deadline = Date.now() + timeoutMs;
    let healthy = false;
    while (Date.now() < deadline && exitInfo === undefined) {
      if ((await get(`${url}/healthz`, 2000)) === 200) {
        healthy = true;
        break;
      }
      await sleep(100);
    }
    if (healthy) {
      return {
        host,
        port,
        url,
        authority: `${host}:${port}`,
        pid,
        root,
        userDataDir,
        extensionsDir,
        home: env.HOME!,
        logFile,
        runId,
        exited: () => exitInfo !== undefined,
        stop,
      };
    }
    const log = tail(logFile);
    await kill().catch(() => undefined);
    lastError = new Error(
      exitInfo !== undefined
        ? `code-server exited (${exitInfo}) before answering /healthz on ${url}; log:\n${log}`
        : `code-server did not answer ${url}/healthz within ${timeoutMs / 1000} s; log:\n${log}`,
    );
    if (!/EADDRINUSE/.test(log)) break;
  }
  if (ownsRoot) fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  throw lastError!;
}

/** Copies a run's logs (browser console, code-server, VS Code's own) into `dir`, names prefixed; returns an error, if any. */
export function copyRunLogs(server: CodeServer | undefined, browserLog: string, dir: string, prefix = ''): string | undefined {
  try {
    if (fs.existsSync(browserLog)) fs.copyFileSync(browserLog, path.join(dir, `${prefix}browser-console.log`));
    if (!server) return undefined;
    if (fs.existsSync(server.logFile)) fs.copyFileSync(server.logFile, path.join(dir, `${prefix}code-server.log`));
    // VS Code's own logs (server, remote extension host, extension output channels).
    const logs = path.join(server.userDataDir, 'logs');
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dir, `${prefix}vscode-logs`), { recursive: true });
    return undefined;
  } catch (err) {
    return `could not copy logs: ${String(err)}`;
  }
}
