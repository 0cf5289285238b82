/**
 * Loaded models, by what shaped them. A model stays loaded while it is the configured one or in use (a session or
 * a file transcription holds it); the others are released when the configuration changes or their use ends, so
 * switching profiles does not pile models up.
 */
export class ModelRegistry<T extends { release(): Promise<void>; readonly usable?: boolean }> {
  private readonly entries = new Map<string, { model: Promise<T>; users: number; loaded?: T }>();

  constructor(
    private readonly what: string,
    /** Called when a holder lets go, so models nobody uses can be released. */
    private readonly onLetGo: () => void,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * The model for `key`, loaded by `load` if need be. A failed load is not kept: fixing the files and asking again
   * works. Nor is a model that says it is no longer usable (its thread died): it is loaded again.
   */
  get(key: string, load: () => Promise<T>): Promise<T> {
    let e = this.entries.get(key);
    if (e?.loaded?.usable === false) {
      this.log(`${this.what} ${key.split(':')[0]} stopped working: loading it again.`);
      this.entries.delete(key);
      e = undefined;
    }
    if (!e) {
      const entry: { model: Promise<T>; users: number; loaded?: T } = { model: load(), users: 0 };
      e = entry;
      this.entries.set(key, entry);
      entry.model.then(
        (m) => (entry.loaded = m),
        () => this.entries.get(key) === entry && this.entries.delete(key),
      );
    }
    return e.model;
  }

  /** The model for `key` if it has finished loading. */
  loaded(key: string): T | undefined {
    return this.entries.get(key)?.loaded;
  }

  /** Runs `use` with the model for `key` held: it is not released meanwhile. */
  async with<R>(key: string, load: () => Promise<T>, use: (model: T) => Promise<R>): Promise<R> {
    const model = await this.get(key, load);
    const e = this.entries.get(key);
    if (e) e.users++;
    try {
      return await use(model);
    } finally {
      if (e) e.users--;
    }
  }

  hold(key: string): () => void {
    const e = this.entries.get(key);
    if (e) e.users++;
    return () => {
      if (e) e.users--;
      this.onLetGo();
    };
  }

  /** Releases every loaded model but `keep` that nobody uses. */
  async releaseExcept(keep: string): Promise<void> {
    for (const [key, e] of [...this.entries]) {
      if (key === keep || e.users > 0) continue;
      this.entries.delete(key);
      const model = await e.model.catch(() => undefined);
      if (model) {
        await model.release();
        this.log(`Released ${this.what} ${key.split(':')[0]} (not in use since the configuration changed).`);
      }
    }
  }

  /** Forgets every model (released as soon as it is not in use is not tracked: used when files changed on disk). */
  async releaseAll(): Promise<void> {
    for (const [key, e] of [...this.entries]) {
      this.entries.delete(key);
      if (e.users === 0) await (await e.model.catch(() => undefined))?.release();
    }
  }

  all(): Promise<T | undefined>[] {
    return [...this.entries.values()].map((e) => e.model.catch(() => undefined));
  }
}
