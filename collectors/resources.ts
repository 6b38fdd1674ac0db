/**
 * Things a collector keeps between its runs (a database connection pool), owned by the
 * runner. A collector asks for a resource by key; the first ask opens it, later runs get the
 * same one. The runner closes every resource of a collector when the collector leaves the
 * workload (or its entry changes: a changed entry is a new collector) and at shutdown, so
 * a removed collector leaves no connection open.
 */
export interface CollectorResources {
  /**
   * The resource under `key`, made by `open` on first use. `close` is called once, when the
   * scope closes; it should not throw (a failure is ignored: the resource is gone either way).
   */
  get<T>(key: string, open: () => T, close: (resource: T) => Promise<void> | void): T;
}

/** The runner's side: one scope per collector; close() releases everything it handed out. */
export class ResourceScope implements CollectorResources {
  private readonly held = new Map<string, { value: unknown; close: (v: unknown) => Promise<void> | void }>();
  private closed = false;

  get<T>(key: string, open: () => T, close: (resource: T) => Promise<void> | void): T {
    if (this.closed) throw new Error('the collector was removed or the server is shutting down');
    const found = this.held.get(key);
    if (found) return found.value as T;
    const value = open();
    this.held.set(key, { value, close: close as (v: unknown) => Promise<void> | void });
    return value;
  }

  /** How many resources are open (for tests and status). */
  get size(): number {
    return this.held.size;
  }

  /** Closes every resource (in parallel) and refuses new ones. Never rejects. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.held.values()];
    this.held.clear();
    await Promise.all(
      all.map(async (r) => {
        try {
          await r.close(r.value);
        } catch {
          /* closing failed: the resource is abandoned either way */
        }
      }),
    );
  }
}
