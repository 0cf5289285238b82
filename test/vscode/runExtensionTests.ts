/**
 * Runs the mocha suite in out/test/vscode/suite/ inside a real VS Code: code-server 4.100.3 (VS Code 1.100.3, web
 * workbench + Node extension host) driven by Debian's chromium through playwright-core.
 *
 *   node out/test/vscode/runExtensionTests.js [--grep PATTERN] [--keep] [--no-ui]
 *
 * 1. a temp folder holds the workspace (with a test file), code-server's dirs and the browser profile;
 * 2. a fake microphone starts (test/fakeMicrophone.ts: a private PulseAudio whose null sink is the default source),
 *    then code-server on 127.0.0.1 (codeServer.ts), with VOICEFLOW_TEST_REPORT, the microphone's PULSE_SERVER,
 *    VOICEFLOW_FAKE_MIC_SINK and this process's environment;
 * 3. chromium opens the workbench with extensionDevelopmentPath = this repository and extensionTestsPath = the suite's
 *    index.js, after exposing window.codeAutomationExit, which VS Code calls with the tests' exit code;
 * 4. the suite writes its spec report to $VOICEFLOW_TEST_REPORT (the extension host's stdout goes nowhere): it is
 *    printed as it grows, then "vscode: N passed, N failed";
 * 5. a screenshot, the report, code-server's and VS Code's logs and the browser console go to .test-artifacts/vscode/;
 * 6. everything is stopped and removed (--keep leaves the temp folder);
 * 7. then the UI test (ui/workbench.ui.ts: a normal workbench driven with keys and clicks, its own code-server) runs
 *    as a child process, unless --grep or --no-ui is given; the process exits non-zero if either part failed.
 *
 * Env: VOICEFLOW_VSCODE_TEST_TIMEOUT_MS (for the suite, once the workbench is up; default 900000; code-server, the
 * browser and the workbench have 60 s each to start), VOICEFLOW_CODE_SERVER_DIR (see codeServer.ts),
 * VOICEFLOW_CHROMIUM (default /usr/bin/chromium). Every other variable of this process reaches the extension host.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type BrowserContext, type Page } from 'playwright-core';
import { FakeMicrophone } from '../../eval/fakeMicrophone';
import { CHROMIUM, launchBrowser } from './browser';
import { startCodeServer, type CodeServer, copyRunLogs } from './codeServer';
import type { SuiteSummary } from './suite';

const REPO = path.resolve(__dirname, '..', '..', '..');
const SUITE_INDEX = path.join(REPO, 'out', 'test', 'vscode', 'suite', 'index.js');
const ARTIFACTS = path.join(REPO, '.test-artifacts', 'vscode');
const TIMEOUT_MS = Number(process.env.VOICEFLOW_VSCODE_TEST_TIMEOUT_MS || 900_000);

const t0 = Date.now();
const secs = (from = t0) => `${((Date.now() - from) / 1000).toFixed(1)} s`;
const say = (msg: string) => console.log(`[vscode-tests ${secs()}] ${msg}`);
let closingLine: string | undefined;

const FAKE_MIC_SINK = 'fakemic';
const UI_TEST = path.join(REPO, 'out', 'test', 'vscode', 'ui', 'workbench.ui.js');

interface Args {
  grep?: string;
  keep: boolean;
  ui: boolean;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { keep: false, ui: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--grep') out.grep = argv[++i];
    else if (argv[i] === '--keep') out.keep = true;
    else if (argv[i] === '--no-ui') out.ui = false;
    else throw new Error(`unknown argument ${argv[i]} (usage: runExtensionTests.js [--grep PATTERN] [--keep] [--no-ui])`);
  }
  return out;
}

/**
 * Starts the fake microphone the suite's microphone test speaks into. Without pulseaudio the suite still runs, and
 * that test fails saying why (it needs PULSE_SERVER and VOICEFLOW_FAKE_MIC_SINK).
 */
async function startMicrophone(): Promise<FakeMicrophone | undefined> {
  if (!FakeMicrophone.available()) {
    say(
      'pulseaudio/pacat not found: no fake microphone (the microphone test will fail); apt-get install pulseaudio pulseaudio-utils libasound2-plugins',
    );
    return undefined;
  }
  const mic = new FakeMicrophone();
  try {
    await mic.start();
    return mic;
  } catch (err) {
    say(`the fake microphone did not start (the microphone test will fail): ${String(err)}`);
    await mic.dispose().catch(() => undefined);
    return undefined;
  }
}

/** Prints what the suite appended to the report since the last call. */
class ReportTail {
  private offset = 0;
  constructor(private readonly file: string) {}
  flush(): void {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      return;
    }
    if (size <= this.offset) return;
    const fd = fs.openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      fs.readSync(fd, buf, 0, buf.length, this.offset);
      // Print whole lines only; a partial last line waits for the next flush.
      const text = buf.toString('utf8');
      const cut = text.lastIndexOf('\n') + 1;
      if (cut > 0) {
        process.stdout.write(text.slice(0, cut));
        this.offset += Buffer.byteLength(text.slice(0, cut));
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  flushAll(): void {
    this.flush();
    try {
      const rest = fs.readFileSync(this.file).subarray(this.offset).toString('utf8');
      if (rest) process.stdout.write(rest.endsWith('\n') ? rest : `${rest}\n`);
      this.offset += Buffer.byteLength(rest);
    } catch {
      /* no report */
    }
  }
}

function copyLogs(server: CodeServer | undefined, browserLog: string): void {
  const problem = copyRunLogs(server, browserLog, ARTIFACTS);
  if (problem) say(problem);
}

function findFiles(dir: string, re: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => re.test(path.basename(f))).map((f) => path.join(dir, f));
}

async function main(args: Args): Promise<number> {
  for (const [file, hint] of [
    [path.join(REPO, 'package.json'), 'the runner must live in out/test/vscode/ of the repository'],
    [path.join(REPO, 'dist', 'extension.js'), 'run `node esbuild.mjs` first'],
    [SUITE_INDEX, 'run `tsc -p .` first'],
    [CHROMIUM, 'apt-get install chromium'],
  ]) {
    if (!fs.existsSync(file)) throw new Error(`${file} not found: ${hint}`);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { publisher: string; name: string };

  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // Short prefix: unix socket paths under it must stay under 108 bytes (see codeServer.ts).
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vf-vsc-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'dictation-target.txt'), 'VoiceFlow test workspace.\n');
  const reportDir = path.join(tmp, 'report');
  fs.mkdirSync(reportDir);
  const reportFile = path.join(reportDir, 'report.txt');
  const browserDir = path.join(tmp, 'browser');
  const browserHome = path.join(browserDir, 'home');
  fs.mkdirSync(browserHome, { recursive: true });
  const browserLog = path.join(tmp, 'browser-console.log');
  const tail = new ReportTail(reportFile);

  let server: CodeServer | undefined;
  let context: BrowserContext | undefined;
  let mic: FakeMicrophone | undefined;
  let cleanedUp = false;
  const cleanup = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    await context?.close().catch(() => undefined);
    copyLogs(server, browserLog);
    await server?.stop().catch((err) => say(`stopping code-server: ${String(err)}`));
    await mic?.dispose().catch((err) => say(`stopping the fake microphone: ${String(err)}`));
    if (args.keep) say(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    say(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let poll: NodeJS.Timeout | undefined;
  try {
    mic = await startMicrophone();
    if (mic) say(`fake microphone: ${mic.env.PULSE_SERVER}, sink ${FAKE_MIC_SINK}`);
    say(`starting code-server (workspace ${workspace})`);
    server = await startCodeServer({
      workspace,
      root: path.join(tmp, 'cs'),
      env: {
        VOICEFLOW_TEST_REPORT: reportFile,
        VOICEFLOW_TEST_WORKSPACE: workspace,
        VOICEFLOW_TEST_ENV_PROBE: 'from-runner',
        VOICEFLOW_TEST_GREP: args.grep ?? process.env.VOICEFLOW_TEST_GREP,
        // Only the way to the microphone's server: its HOME and XDG_RUNTIME_DIR stay code-server's own.
        PULSE_SERVER: mic?.env.PULSE_SERVER,
        VOICEFLOW_FAKE_MIC_SINK: mic ? FAKE_MIC_SINK : undefined,
      },
    });
    say(`code-server ${server.url} healthy (pid ${server.pid})`);

    const tStart = Date.now();
    context = await launchBrowser(browserDir, { width: 1400, height: 900 });
    let resolveExit!: (code: number) => void;
    const exitCode = new Promise<number>((r) => (resolveExit = r));
    await context.exposeFunction('codeAutomationExit', (code: unknown) => resolveExit(Number(code)));
    const page: Page = context.pages()[0] ?? (await context.newPage());
    const consoleLog = (line: string) => fs.appendFileSync(browserLog, `${line}\n`);
    page.on('console', (m) => consoleLog(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLog(`[pageerror] ${e.stack ?? e.message}`));
    let crashed: ((e: Error) => void) | undefined;
    const pageCrash = new Promise<never>((_, reject) => (crashed = reject));
    page.on('crash', () => crashed?.(new Error('the browser page crashed')));
    pageCrash.catch(() => undefined);

    const remote = (p: string) => `vscode-remote://${server!.authority}${p.split(path.sep).map(encodeURIComponent).join('/')}`;
    const payload = [
      ['extensionDevelopmentPath', remote(REPO)],
      ['extensionTestsPath', remote(SUITE_INDEX)],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    say(`opening the workbench with ${pkg.publisher}.${pkg.name} under development`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    say(`workbench visible after ${secs(tStart)}; tests running (timeout ${TIMEOUT_MS / 1000} s)`);

    poll = setInterval(() => tail.flush(), 500);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out after ${TIMEOUT_MS / 1000} s (VOICEFLOW_VSCODE_TEST_TIMEOUT_MS) waiting for the tests inside VS Code to finish: ` +
                `window.codeAutomationExit was never called. The report so far is above; see ${ARTIFACTS}/ ` +
                '(workbench.png, browser-console.log, code-server.log, vscode-logs/).',
            ),
          ),
        TIMEOUT_MS,
      );
    });
    const serverGone = new Promise<never>((_, reject) => {
      const h = setInterval(() => {
        if (server?.exited()) {
          clearInterval(h);
          reject(new Error(`code-server exited while the tests ran; see ${ARTIFACTS}/code-server.log`));
        }
      }, 1000);
      void exitCode.finally(() => clearInterval(h));
      timeout.catch(() => clearInterval(h));
    });
    let code: number;
    try {
      code = await Promise.race([exitCode, timeout, serverGone, pageCrash]);
    } catch (err) {
      await page.screenshot({ path: path.join(ARTIFACTS, 'workbench.png') }).catch(() => undefined);
      tail.flushAll();
      if (fs.existsSync(reportFile)) fs.copyFileSync(reportFile, path.join(ARTIFACTS, 'report.txt'));
      throw err;
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
    }
    await page.waitForTimeout(500); // let a notification that just appeared finish sliding in
    await page.screenshot({ path: path.join(ARTIFACTS, 'workbench.png') }).catch((e) => say(`screenshot failed: ${String(e)}`));
    tail.flushAll();
    say(
      `VS Code reported exit code ${code} after ${secs(tStart)} (screenshot ${path.relative(REPO, path.join(ARTIFACTS, 'workbench.png'))})`,
    );

    if (fs.existsSync(reportFile)) fs.copyFileSync(reportFile, path.join(ARTIFACTS, 'report.txt'));
    let summary: SuiteSummary | undefined;
    try {
      summary = JSON.parse(fs.readFileSync(`${reportFile}.json`, 'utf8')) as SuiteSummary;
      fs.copyFileSync(`${reportFile}.json`, path.join(ARTIFACTS, 'report.json'));
    } catch {
      /* handled below */
    }
    if (!summary) {
      console.error(
        `the suite wrote no summary (${reportFile}.json): it did not run. Extension host log: ` +
          `${findFiles(path.join(server.userDataDir, 'logs'), /exthost/i).join(', ') || '(none)'}; browser console: ${ARTIFACTS}/browser-console.log`,
      );
      return code || 1;
    }
    if (summary.error) console.error(`suite error: ${summary.error}`);
    if (summary.tests === 0) {
      console.error('no test ran inside VS Code');
      return code || 1;
    }
    // Printed last, after the cleanup lines: the plain closing line CI reads.
    closingLine = `vscode: ${summary.passes} passed, ${summary.failures} failed${summary.pending ? `, ${summary.pending} skipped` : ''}`;
    return code;
  } finally {
    if (poll) clearInterval(poll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
    say(`cleaned up (total ${secs()})`);
  }
}

/** The UI test, in a process (and a code-server) of its own, after the suite's are gone. Returns its exit code. */
async function runUiTest(extra: string[] = []): Promise<number> {
  if (!fs.existsSync(UI_TEST)) {
    console.error(`${UI_TEST} not found: run \`tsc -p .\` first`);
    return 1;
  }
  const child = spawn(process.execPath, [UI_TEST, ...extra], { stdio: 'inherit' });
  // A signal for this runner goes to the UI test too (it cleans up after itself), and the runner waits for it.
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await new Promise<number>((resolve) => {
      child.once('error', (err) => {
        console.error(`[vscode-tests] could not run the UI test: ${err.message}`);
        resolve(1);
      });
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 1) : 1)));
    });
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

async function runAll(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  let code: number;
  try {
    code = await main(args);
    if (closingLine) console.log(closingLine);
  } catch (err) {
    console.error(`[vscode-tests] FAILED: ${err instanceof Error ? err.message : String(err)}`);
    code = 1;
  }
  if (args.grep !== undefined) say('--grep given: the UI test (node out/test/vscode/ui/workbench.ui.js) is not run');
  else if (args.ui) {
    const ui = await runUiTest();
    // The light theme's screenshots: dictation and the panel again, in a code-server started in that theme.
    const light = await runUiTest(['--light']);
    code = code || ui || light;
  }
  return code;
}

runAll().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[vscode-tests] FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
