import { EngineErrorCode } from '../protocol';

/** An error a user can act on: a code from the protocol and a sentence. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export function asEngineError(err: unknown, fallback: EngineErrorCode = EngineErrorCode.Internal): EngineError {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(fallback, message);
}
