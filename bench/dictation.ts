/**
 * What a listen session produced, as the live-path sections collect it (live microphone, streaming A/B, idle CPU):
 * every final, each utterance's first interim text, errors and the session's end; and the figures computed from it.
 */
import { Disposable } from 'vscode-jsonrpc';
import { EngineClient } from '../src/engineClient';
import { ErrorNotification, FinalNotification, SessionEndNotification } from '../src/protocol';
import { percentile } from './stats';
import { WerResult, wordErrorRate } from '../eval/wer';

/** Utterances up to this long (audio, pre- and post-roll included) count as the 1-5 s ones of the felt target. */
const SHORT_UTTERANCE_MS = 5500;

/** A file session may end this long after the file's own length before it counts as stuck. */
const SESSION_END_GRACE_MS = 60000;

export interface LiveUtterance {
  /** The clip that was playing (or had just played) when the utterance was heard. */
  clip: string;
  text: string;
  startMs: number;
  endMs: number;
  endOfSpeechToTextMs: number;
  /**
   * End of speech to this text as a client that inserts provisional text has it: when the final kept the latest
   * provisional text, the time that went out (provisionalMs); otherwise the final's.
   */
  feltMs: number;
  /** The final kept the text that had gone out as provisional. */
  provisional: boolean;
  processingMs: number;
  /** The final came from the pass the engine started during the hangover (timings.speculative). */
  speculative: boolean;
  /** sinceSpeechStartMs of the utterance's first partial with text; absent when none came before the final. */
  firstPartialMs?: number;
  rejected?: string;
}

export interface DictationFigures {
  /** Over the non-empty utterances. */
  nonEmpty: number;
  /** Non-empty finals that came from the speculative pass. */
  speculativeFinals: number;
  endOfSpeechToTextMs: { p50: number; p95: number };
  /** Felt: provisional text where it stood (LiveUtterance.feltMs). */
  feltMs: { p50: number; p95: number };
  /** The same over utterances of 1-5 s of audio (what issue 15's target is about); `count` of them. */
  feltShortMs: { p50: number; p95: number; count: number };
  /** Finals whose text had gone out as provisional text. */
  provisionalFinals: number;
  processingMs: { p50: number; p95: number };
  /** Over the utterances that had a partial with text before their final; `count` of them. */
  firstPartialMs: { p50: number; p95: number; count: number };
  /** All non-empty final texts concatenated, against all played references concatenated. */
  wer: WerResult;
}

export class SessionRecorder {
  readonly finals: { n: FinalNotification; clip: string }[] = [];
  readonly errors: ErrorNotification[] = [];
  sessionEnd?: SessionEndNotification;
  /** First partial with text per `${sessionId}:${utteranceId}`: its sinceSpeechStartMs. */
  private readonly firstPartials = new Map<string, number>();
  private readonly subs: Disposable[];

  /** `clipOf` names the clip a final belongs to (the one playing, or the one at its position in the file). */
  constructor(client: EngineClient, clipOf: (n: FinalNotification) => string) {
    this.subs = [
      client.onFinal((n) => this.finals.push({ n, clip: clipOf(n) })),
      client.onPartial((p) => {
        const key = `${p.sessionId}:${p.utteranceId}`;
        if ((p.text || p.tentative) && !this.firstPartials.has(key)) this.firstPartials.set(key, p.sinceSpeechStartMs);
      }),
      client.onError((e) => this.errors.push(e)),
      client.onSessionEnd((e) => (this.sessionEnd = e)),
    ];
  }

  /** The finals from index `from` up to `to`, in arrival order. */
  utterances(from = 0, to = this.finals.length): LiveUtterance[] {
    return this.finals.slice(from, to).map(({ n, clip }) => {
      const firstPartialMs = this.firstPartials.get(`${n.sessionId}:${n.utteranceId}`);
      return {
        clip,
        text: n.text.trim(),
        startMs: n.startMs,
        endMs: n.endMs,
        endOfSpeechToTextMs: n.endOfSpeechToTextMs,
        feltMs: n.provisionalMs ?? n.endOfSpeechToTextMs,
        provisional: n.provisionalMs !== undefined,
        processingMs: n.processingMs,
        speculative: n.timings.speculative === 1,
        ...(firstPartialMs !== undefined ? { firstPartialMs } : {}),
        ...(n.rejected ? { rejected: n.rejected } : {}),
      };
    });
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }
}

export function dictationFigures(utterances: readonly LiveUtterance[], references: readonly string[]): DictationFigures {
  const heard = utterances.filter((u) => u.text !== '');
  const eos = heard.map((u) => u.endOfSpeechToTextMs);
  const felt = heard.map((u) => u.feltMs);
  // An utterance's audio holds the pre-roll and post-roll too (~0.4 s).
  const feltShort = heard.filter((u) => u.endMs - u.startMs <= SHORT_UTTERANCE_MS).map((u) => u.feltMs);
  const proc = heard.map((u) => u.processingMs);
  const partial = utterances.flatMap((u) => (u.firstPartialMs === undefined ? [] : [u.firstPartialMs]));
  return {
    nonEmpty: heard.length,
    speculativeFinals: heard.filter((u) => u.speculative).length,
    endOfSpeechToTextMs: { p50: percentile(eos, 50), p95: percentile(eos, 95) },
    feltMs: { p50: percentile(felt, 50), p95: percentile(felt, 95) },
    feltShortMs: { p50: percentile(feltShort, 50), p95: percentile(feltShort, 95), count: feltShort.length },
    provisionalFinals: heard.filter((u) => u.provisional).length,
    processingMs: { p50: percentile(proc, 50), p95: percentile(proc, 95) },
    firstPartialMs: { p50: percentile(partial, 50), p95: percentile(partial, 95), count: partial.length },
    wer: wordErrorRate([{ reference: references.join(' '), hypothesis: heard.map((u) => u.text).join(' ') }]),
  };
}

/**
 * Starts a listen session on a WAV played at real-time pace. `ended` resolves with its sessionEnd (at the end of the
 * file, or after `stop`); it rejects if the engine exits first, or if the session outlives the file by a minute.
 */
export async function startFileSession(
  client: EngineClient,
  file: string,
  seconds: number,
): Promise<{ ended: Promise<SessionEndNotification> }> {
  let sub: Disposable | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = seconds * 1000 + SESSION_END_GRACE_MS;
  const ended = new Promise<SessionEndNotification>((resolve, reject) => {
    sub = client.onSessionEnd(resolve);
    timer = setTimeout(() => {
      void client.stop().catch(() => undefined);
      reject(new Error(`The listen session on ${file} did not end within ${timeoutMs / 1000} s.`));
    }, timeoutMs);
    void client.exited.then(({ code, signal }) =>
      reject(new Error(`The engine exited (${signal ?? `code ${code}`}) during the listen session on ${file}.`)),
    );
  }).finally(() => {
    sub?.dispose();
    clearTimeout(timer);
  });
  // Callers may await other requests first; a rejection meanwhile is theirs to see, not an unhandled one.
  ended.catch(() => undefined);
  try {
    await client.start({ source: { kind: 'file', path: file, realtime: true } });
  } catch (err) {
    sub?.dispose();
    clearTimeout(timer);
    throw err;
  }
  return { ended };
}
