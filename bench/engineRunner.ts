/**
 * This project's engine as the benchmark drives it: a child process started through EngineClient, exactly as the
 * CLI and the extension start it. Latency is the client's wall time from request to result (IPC included).
 */
import * as fs from 'fs';
import { EngineClient } from '../src/engineClient';
import { EngineConfig, InitializeResult } from '../src/protocol';

/** Keep the end of the engine's stderr to show it if the engine fails. */
const STDERR_KEEP = 4000;

export class EngineRunner {
  private constructor(
    readonly client: EngineClient,
    readonly init: InitializeResult,
    private readonly stderr: { tail: string },
  ) {}

  /**
   * `env` is merged over this process's environment (the live section points the engine at the fake microphone);
   * `execArgv` follows ENGINE_EXEC_ARGV (the lever A/B turns a V8 option back).
   */
  static async start(enginePath: string, config: EngineConfig, env?: NodeJS.ProcessEnv, execArgv?: string[]): Promise<EngineRunner> {
    if (!fs.existsSync(enginePath)) throw new Error(`${enginePath} is missing: build it with \`node esbuild.mjs\`.`);
    const stderr = { tail: '' };
    const client = EngineClient.start({
      enginePath,
      env,
      execArgv,
      onStderr: (s) => (stderr.tail = (stderr.tail + s).slice(-STDERR_KEEP)),
    });
    try {
      return new EngineRunner(client, await client.initialize(config), stderr);
    } catch (err) {
      await client.shutdown();
      throw new Error(withStderr(`The engine failed to initialize ${JSON.stringify(config)}: ${(err as Error).message}`, stderr.tail), {
        cause: err,
      });
    }
  }

  /** The end of the engine's stderr, to explain a failure. */
  get stderrTail(): string {
    return this.stderr.tail;
  }

  async transcribe(file: string): Promise<{ ms: number; text: string }> {
    const t0 = performance.now();
    try {
      const r = await this.client.transcribeFile({ path: file });
      return { ms: performance.now() - t0, text: r.text.trim() };
    } catch (err) {
      throw new Error(withStderr(`The engine failed on ${file}: ${(err as Error).message}`, this.stderr.tail), { cause: err });
    }
  }

  async rssBytes(): Promise<number> {
    return (await this.client.metrics()).rssBytes;
  }

  shutdown(): Promise<void> {
    return this.client.shutdown();
  }
}

export function withStderr(message: string, tail: string): string {
  return tail ? `${message}\n--- engine stderr (end) ---\n${tail}` : message;
}
