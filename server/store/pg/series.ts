import { InvalidSampleError, METRIC_NAME, SeriesLimitError, cachedInfo, canonicalLabels, fastKey } from '../series.js';
import { assertSelective, compileMatcher } from '../selector.js';
import type { Selector, SeriesInfo } from '../types.js';
import type { Queryable } from './pool.js';

/** A sample's series before it has an id: name and canonical labels, or where the cache found it. */
export interface Pending {
  name: string;
  canonical: string;
  key: string;
}

/**
 * The series table of the PostgreSQL store. Ids are cached per (name, labels as given) once a
 * transaction that saw them committed; new series are inserted in one statement per write.
 * Series are never renumbered, so a cached id stays right until retention deletes the series
 * (forget()); another replica's new series are simply looked up on first sight.
 */
export class PgSeries {
  private readonly byName = new Map<string, Map<string, number>>();
  private readonly infoById = new Map<number, SeriesInfo>();

  /**
   * The cached id of a sample's series, or what to insert. Validates exactly as the SQLite
   * store does (same messages, prefixed with the sample's index by the caller).
   */
  lookup(name: string, labels: Record<string, string>): number | Pending {
    if (labels === null || typeof labels !== 'object') throw new InvalidSampleError(`labels of ${String(name)} must be an object`);
    const key = fastKey(labels);
    if (key !== undefined) {
      const hit = this.byName.get(name)?.get(key);
      if (hit !== undefined) return hit;
    }
    if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
      throw new InvalidSampleError(`metric name ${JSON.stringify(name)} must match [a-zA-Z_:][a-zA-Z0-9_:]*`);
    }
    const canonical = canonicalLabels(labels);
    if (key === undefined) throw new InvalidSampleError(`labels of ${name} must be strings`);
    return { name, canonical, key };
  }

  /**
   * Resolves pending series inside the caller's transaction: inserts the new ones (one
   * statement), reads the ids of those that existed. With limit > 0, adding any series past
   * `limit` throws SeriesLimitError. Returns name/key -> id entries to remember() after commit.
   */
  async resolve(db: Queryable, pending: Map<string, Pending>, limit: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (pending.size === 0) return out;
    const names: string[] = [];
    const labels: string[] = [];
    const byCanon = new Map<string, string[]>();
    for (const [k, p] of pending) {
      const ck = p.name + '\u0000' + p.canonical;
      const list = byCanon.get(ck);
      if (list) list.push(k);
      else {
        byCanon.set(ck, [k]);
        names.push(p.name);
        labels.push(p.canonical);
      }
    }
    const found = await db.query<{ id: number; name: string; labels: string }>(
      'SELECT s.id, s.name, s.labels FROM series s JOIN unnest($1::text[], $2::text[]) AS u(name, labels) ON s.name = u.name AND s.labels = u.labels',
      [names, labels],
    );
    for (const r of found.rows) for (const k of byCanon.get(r.name + '\u0000' + r.labels)!) out.set(k, r.id);
    if (found.rows.length < names.length) {
      const newNames: string[] = [];
      const newLabels: string[] = [];
      for (let i = 0; i < names.length; i++) {
        if (!out.has(byCanon.get(names[i]! + '\u0000' + labels[i]!)![0]!)) {
          newNames.push(names[i]!);
          newLabels.push(labels[i]!);
        }
      }
      if (limit > 0) {
        const existing = (await db.query<{ n: number }>('SELECT count(*) AS n FROM series')).rows[0]!.n;
        // as the SQLite store reports it: the count when the first series past the limit was refused
        if (existing + newNames.length > limit) throw new SeriesLimitError(limit, Math.max(existing, limit));
      }
      const inserted = await db.query<{ id: number; name: string; labels: string }>(
        `INSERT INTO series (name, labels) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (name, labels) DO UPDATE SET name = EXCLUDED.name RETURNING id, name, labels`,
        [newNames, newLabels],
      );
      for (const r of inserted.rows) for (const k of byCanon.get(r.name + '\u0000' + r.labels)!) out.set(k, r.id);
    }
    return out;
  }

  /** A committed transaction's resolutions: cache them. */
  remember(pending: Map<string, Pending>, ids: Map<string, number>): void {
    for (const [k, p] of pending) {
      const id = ids.get(k);
      if (id === undefined) continue;
      let inner = this.byName.get(p.name);
      if (!inner) this.byName.set(p.name, (inner = new Map()));
      inner.set(p.key, id);
    }
  }

  /** Series deleted (retention): drop them from the caches. */
  forget(ids: Iterable<number>): void {
    const gone = new Set(ids);
    if (gone.size === 0) return;
    for (const inner of this.byName.values()) for (const [key, id] of inner) if (gone.has(id)) inner.delete(key);
    for (const id of gone) this.infoById.delete(id);
  }

  async count(db: Queryable): Promise<number> {
    return (await db.query<{ n: number }>('SELECT count(*) AS n FROM series')).rows[0]!.n;
  }

  async get(db: Queryable, id: number): Promise<SeriesInfo | undefined> {
    const cached = this.infoById.get(id);
    if (cached) return cached;
    if (!Number.isSafeInteger(id)) return undefined;
    const r = await db.query<{ id: number; name: string; labels: string }>('SELECT id, name, labels FROM series WHERE id = $1', [id]);
    const row = r.rows[0];
    return row ? this.info(row.id, row.name, row.labels) : undefined;
  }

  /** Series matching a selector, ordered by name then labels (byte order, as SQLite's). Label matchers run here. */
  async find(db: Queryable, sel: Selector, limit = Number.POSITIVE_INFINITY): Promise<SeriesInfo[]> {
    assertSelective(sel);
    const nameTests = sel.matchers.filter((m) => m.label === '__name__');
    const labelTests = sel.matchers.filter((m) => m.label !== '__name__').map((m) => ({ label: m.label, test: compileMatcher(m) }));
    let names: string[] | undefined;
    const eqName = sel.name ?? nameTests.find((m) => m.op === '=')?.value;
    if (eqName !== undefined) names = [eqName];
    else if (nameTests.length > 0) names = (await db.query<{ name: string }>('SELECT DISTINCT name FROM series ORDER BY name')).rows.map((r) => r.name);
    if (names) {
      const tests = nameTests.map(compileMatcher);
      names = names.filter((n) => tests.every((t) => t(n)));
    }
    const rows = names
      ? (await db.query<{ id: number; name: string; labels: string }>(
          'SELECT id, name, labels FROM series WHERE name = ANY($1::text[]) ORDER BY name, labels',
          [names],
        )).rows
      : (await db.query<{ id: number; name: string; labels: string }>('SELECT id, name, labels FROM series ORDER BY name, labels')).rows;
    const out: SeriesInfo[] = [];
    for (const r of rows) {
      if (out.length >= limit) break;
      const info = this.info(r.id, r.name, r.labels);
      if (labelTests.every((t) => t.test(info.labels[t.label] ?? ''))) out.push(info);
    }
    return out;
  }

  private info(id: number, name: string, labels: string): SeriesInfo {
    return cachedInfo(this.infoById, id, name, labels);
  }
}
