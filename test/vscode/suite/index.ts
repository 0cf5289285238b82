/**
 * Mocha entry point inside the real VS Code extension host (extensionTestsPath = out/test/vscode/suite/index.js).
 * VS Code calls run(); a resolved promise is exit code 0, a rejected one 1.
 *
 * The extension host's stdout goes nowhere in code-server, so the spec report is written, line by line as the tests
 * run, to $VOICEFLOW_TEST_REPORT (set by runExtensionTests.ts or test-electron.mjs), and a JSON summary to
 * `$VOICEFLOW_TEST_REPORT.json`: { passes, failures, pending, tests, durationMs, failed: [{ title, error }], error? }.
 * $VOICEFLOW_TEST_GREP, when set, runs only the tests whose full title matches it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import type MochaNS from 'mocha';

// mocha 12's package entry is ESM; its CommonJS build is lib/mocha.cjs (same API), safe for any require().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Mocha: typeof MochaNS = require('mocha/lib/mocha.cjs');

export interface SuiteSummary {
  passes: number;
  failures: number;
  pending: number;
  tests: number;
  durationMs: number;
  failed: { title: string; error: string }[];
  error?: string;
}

function testFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => path.join(dir, f))
    .sort();
}

export function run(): Promise<void> {
  const reportFile = process.env.VOICEFLOW_TEST_REPORT;
  const write = (text: string) => {
    if (reportFile) fs.appendFileSync(reportFile, text);
    else process.stdout.write(text);
  };
  const writeSummary = (s: SuiteSummary) => {
    if (reportFile) fs.writeFileSync(`${reportFile}.json`, JSON.stringify(s, null, 2) + '\n');
  };
  if (reportFile) fs.writeFileSync(reportFile, '');

  // The spec reporter prints through Base.consoleLog: send it to the report file for this run.
  const Base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void; useColors: boolean };
  const originalLog = Base.consoleLog;
  Base.useColors = false;
  Base.consoleLog = (...args: unknown[]) => write(format(...args) + '\n');

  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: Mocha.reporters.Spec });
  if (process.env.VOICEFLOW_TEST_GREP) mocha.grep(process.env.VOICEFLOW_TEST_GREP);

  const started = Date.now();
  return new Promise<void>((resolve, reject) => {
    const summary: SuiteSummary = { passes: 0, failures: 0, pending: 0, tests: 0, durationMs: 0, failed: [] };
    const finish = (error?: unknown) => {
      Base.consoleLog = originalLog;
      summary.durationMs = Date.now() - started;
      if (error !== undefined) summary.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
      writeSummary(summary);
      if (error !== undefined) reject(error instanceof Error ? error : new Error(String(error)));
      else if (summary.failures > 0) reject(new Error(`${summary.failures} test(s) failed`));
      else resolve();
    };
    try {
      for (const f of testFiles(__dirname)) mocha.addFile(f);
      const runner = mocha.run(() => finish());
      runner.on('pass', () => summary.passes++);
      runner.on('pending', () => summary.pending++);
      runner.on('test end', () => summary.tests++);
      runner.on('fail', (test, err: Error) => {
        summary.failures++;
        summary.failed.push({ title: test.fullTitle(), error: err?.stack ?? String(err) });
      });
    } catch (err) {
      write(`error loading or running the suite: ${err instanceof Error ? err.stack : String(err)}\n`);
      finish(err);
    }
  });
}
