/**
 * Where the last dictated utterances are in their documents, kept true while the user (or anything else) edits: what
 * "scratch that" removes and "cap that" rewrites. Offsets, not editor positions, so it is pure (no `vscode`).
 */

/** One utterance at one cursor: the text inserted at `offset`, and what it replaced (a selection), to put back. */
export interface TrailPiece {
  offset: number;
  text: string;
  replaced: string;
}

export interface TrailEntry {
  /** The document's URI, as a string. */
  uri: string;
  /** The document's version once the entry was last written: changes up to it are the entry's own. */
  version: number;
  pieces: TrailPiece[];
}

/** One change of a document as VS Code reports it: offsets in the document before the change. */
export interface TrailChange {
  offset: number;
  length: number;
  textLength: number;
}

/** Utterances kept: enough for "scratch that" said a few times over. */
const MAX_ENTRIES = 50;

export class InsertionTrail {
  private entries: TrailEntry[] = [];

  /** The latest utterance, still intact. */
  get last(): TrailEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  get size(): number {
    return this.entries.length;
  }

  /** Adds an utterance; returns the entry as kept (the trail's own copy, which `last` returns while it is intact). */
  push(entry: TrailEntry): TrailEntry {
    const kept = { ...entry, pieces: [...entry.pieces].sort((a, b) => a.offset - b.offset) };
    this.entries.push(kept);
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    return kept;
  }

  pop(): TrailEntry | undefined {
    return this.entries.pop();
  }

  clear(): void {
    this.entries = [];
  }

  /**
   * A document changed (to `version`): text inserted or removed before an utterance moves it; a change that touches
   * an utterance (undo, typing inside it) means it is no longer the text dictated, so it is forgotten.
   */
  change(uri: string, version: number, changes: readonly TrailChange[]): void {
    // VS Code reports the changes of one event against the document before it: apply the last ones first.
    const sorted = [...changes].sort((a, b) => b.offset - a.offset);
    this.entries = this.entries.filter((e) => {
      if (e.uri !== uri || version <= e.version) return true;
      for (const c of sorted) {
        for (const p of e.pieces) {
          const end = p.offset + p.text.length;
          if (c.offset + c.length <= p.offset) {
            p.offset += c.textLength - c.length;
          } else if (c.offset >= end) {
            continue;
          } else {
            return false;
          }
        }
      }
      e.version = version;
      return true;
    });
  }
}

/** Each word's first letter in capitals: what "cap that" makes of an utterance. */
export function capitalizeWords(text: string): string {
  return text.replace(/(^|[^\p{L}\p{N}_'’])(\p{Ll})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}
