import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import { assertSelective, compileMatcher } from './selector.js';
import type { Selector, SeriesInfo } from './types.js';

/** A sample the store refuses; the message names the sample and the field. */
export class InvalidSampleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSampleError';
  }
}

/** A write that would make the store hold more series than the caller's limit; nothing of it was written. */
export class SeriesLimitError extends Error {
  constructor(
    readonly limit: number,
    readonly existing: number,
  ) {
    super(`series_limit exceeded: the store holds ${existing} series and the run would add more; the limit is ${limit}; nothing was stored`);
    this.name = 'SeriesLimitError';
  }
}

/** What a metric name may be (a selector must be able to address it). */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Canonical labels text: keys sorted, empty values dropped (PromQL treats an
 * empty label as absent, so {a:""} and {} are the same series). Throws on a
 * name or value a PromQL selector could not address.
 */
export function canonicalLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v: unknown = labels[k];
    if (typeof v !== 'string') throw new InvalidSampleError(`label ${k} must be a string, got ${typeof v}`);
    if (!LABEL_NAME.test(k)) throw new InvalidSampleError(`label name ${JSON.stringify(k)} must match [a-zA-Z_][a-zA-Z0-9_]*`);
    if (k === '__name__') throw new InvalidSampleError('label __name__ is reserved: the metric name goes in Sample.name');
    if (v !== '') out[k] = v;
  }
  return JSON.stringify(out);
}

/**
 * A cache key for labels as the caller built them (key order as given), cheaper
 * than canonical JSON. Every part is length-prefixed, so distinct label sets
 * never share a key. undefined when a value is not a string (the slow path
 * then reports it).
 */
export function fastKey(labels: Record<string, string>): string | undefined {
  let k = '';
  for (const n in labels) {
    const v = labels[n];
    if (typeof v !== 'string') return undefined;
    k += n.length + ':' + n + v.length + ':' + v;
  }
  return k;
}

/**
 * The only writer of `series`. Resolves (name, labels) to an id through an
 * in-memory cache so the ingest path touches SQL only for a series seen for the
 * first time. Ids cached inside a write transaction are provisional: the store
 * calls commit() or discard() when the transaction ends, so a rolled-back
 * series never leaves a dangling id in the cache.
 */
export class SeriesRegistry {
  /** name -> fastKey(labels) -> id */
  private readonly byName = new Map<string, Map<string, number>>();
  private readonly infoById = new Map<number, SeriesInfo>();
  private pending: Array<[name: string, key: string]> = [];
  /** frozen labels object -> its series, valid while `gen` is unchanged */
  private byObject = new WeakMap<object, { name: string; id: number; gen: number }>();
  private gen = 0;
  /** Series in the table, kept up to date by resolve/discard/forget (counted once at open). */
  private total: number;
  private createdInTx = 0;
  /** Set by the store around one write: resolving a new series beyond it throws SeriesLimitError. */
  limit = 0;
  private readonly insert: Database.Statement;
  private readonly selectId: Database.Statement;
  private readonly selectById: Database.Statement;
  private readonly names: Database.Statement;
  private readonly byNameRows: Database.Statement;
  private readonly allRows: Database.Statement;
  private readonly countRows: Database.Statement;

  constructor(db: Db) {
    this.insert = db
      .prepare('INSERT INTO series (name, labels) VALUES (?, ?) ON CONFLICT (name, labels) DO NOTHING RETURNING id')
      .pluck();
    this.selectId = db.prepare('SELECT id FROM series WHERE name = ? AND labels = ?').pluck();
    this.selectById = db.prepare('SELECT id, name, labels FROM series WHERE id = ?').raw();
    this.names = db.prepare('SELECT DISTINCT name FROM series ORDER BY name').pluck();
    this.byNameRows = db.prepare('SELECT id, name, labels FROM series WHERE name = ? ORDER BY labels').raw();
    this.allRows = db.prepare('SELECT id, name, labels FROM series ORDER BY name, labels').raw();
    this.countRows = db.prepare('SELECT count(*) FROM series').pluck();
    this.total = this.countRows.get() as number;
  }

  /** How many series the store holds. */
  get count(): number {
    return this.total;
  }

  /** The id of a series, created on first sight. Call only inside a write transaction. */
  resolve(name: string, labels: Record<string, string>): number {
    if (labels === null || typeof labels !== 'object') throw new InvalidSampleError(`labels of ${String(name)} must be an object`);
    const memo = this.byObject.get(labels);
    if (memo !== undefined && memo.gen === this.gen && memo.name === name) return memo.id;
    let inner = this.byName.get(name);
    const key = fastKey(labels);
    if (key !== undefined) {
      const hit = inner?.get(key);
      if (hit !== undefined) {
        this.remember(name, labels, hit);
        return hit;
      }
    }
    if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
      throw new InvalidSampleError(`metric name ${JSON.stringify(name)} must match [a-zA-Z_:][a-zA-Z0-9_:]*`);
    }
    const canonical = canonicalLabels(labels);
    if (key === undefined) throw new InvalidSampleError(`labels of ${name} must be strings`); // canonicalLabels names the label
    let id = this.insert.get(name, canonical) as number | undefined;
    if (id !== undefined) {
      if (this.limit > 0 && this.total >= this.limit) throw new SeriesLimitError(this.limit, this.total);
      this.total++;
      this.createdInTx++;
    } else {
      id = this.selectId.get(name, canonical) as number;
    }
    if (!inner) this.byName.set(name, (inner = new Map()));
    inner.set(key, id);
    this.pending.push([name, key]);
    this.remember(name, labels, id);
    return id;
  }

  /**
   * Frozen label objects (an importer's, one per series; SeriesInfo's) are resolved by identity
   * next time, without building their key: they cannot change. A rolled-back transaction or
   * removed series invalidate every such entry (`gen`).
   */
  private remember(name: string, labels: Record<string, string>, id: number): void {
    if (Object.isFrozen(labels)) this.byObject.set(labels, { name, id, gen: this.gen });
  }

  /** The write transaction committed: provisional ids are now real. */
  commit(): void {
    if (this.pending.length) this.pending = [];
    this.createdInTx = 0;
  }

  /** The write transaction rolled back: forget ids cached during it. */
  discard(): void {
    this.gen++;
    for (const [name, key] of this.pending) this.byName.get(name)?.delete(key);
    this.pending = [];
    this.total -= this.createdInTx;
    this.createdInTx = 0;
  }

  /** Series deleted from the table (retention): drop them from every cache. */
  forget(ids: Iterable<number>): void {
    const gone = new Set(ids);
    if (gone.size === 0) return;
    this.gen++;
    // Recounted rather than decremented: another process (a backfill) may have added series.
    this.total = this.countRows.get() as number;
    for (const inner of this.byName.values()) {
      for (const [key, id] of inner) if (gone.has(id)) inner.delete(key);
    }
    for (const id of gone) this.infoById.delete(id);
  }

  get(id: number): SeriesInfo | undefined {
    const cached = this.infoById.get(id);
    if (cached) return cached;
    const row = this.selectById.get(id) as [number, string, string] | undefined;
    return row ? this.info(row[0], row[1], row[2]) : undefined;
  }

  /**
   * Series matching a selector, ordered by name then labels. The metric name is
   * resolved in SQL; label matchers run here on cached parsed labels.
   */
  find(sel: Selector, limit = Number.POSITIVE_INFINITY): SeriesInfo[] {
    assertSelective(sel);
    const nameTests = sel.matchers.filter((m) => m.label === '__name__');
    const labelTests = sel.matchers
      .filter((m) => m.label !== '__name__')
      .map((m) => ({ label: m.label, test: compileMatcher(m) }));
    let names: string[] | undefined;
    const eqName = sel.name ?? nameTests.find((m) => m.op === '=')?.value;
    if (eqName !== undefined) names = [eqName];
    else if (nameTests.length > 0) {
      names = this.names.all() as string[];
    }
    if (names) {
      const tests = nameTests.map(compileMatcher);
      names = names.filter((n) => tests.every((t) => t(n)));
    }
    const out: SeriesInfo[] = [];
    const consider = (rows: Array<[number, string, string]>) => {
      for (const [id, name, labels] of rows) {
        if (out.length >= limit) return;
        const info = this.info(id, name, labels);
        if (labelTests.every((t) => t.test(info.labels[t.label] ?? ''))) out.push(info);
      }
    };
    if (names) {
      for (const n of names) {
        if (out.length >= limit) break;
        consider(this.byNameRows.all(n) as Array<[number, string, string]>);
      }
    } else {
      consider(this.allRows.all() as Array<[number, string, string]>);
    }
    return out;
  }

  private info(id: number, name: string, labels: string): SeriesInfo {
    return cachedInfo(this.infoById, id, name, labels);
  }
}

/** The frozen SeriesInfo of a series row (labels as stored: canonical JSON), made once per id. */
export function cachedInfo(cache: Map<number, SeriesInfo>, id: number, name: string, labels: string): SeriesInfo {
  let info = cache.get(id);
  if (!info) {
    info = Object.freeze({ id, name, labels: Object.freeze(JSON.parse(labels) as Record<string, string>) });
    cache.set(id, info);
  }
  return info;
}
