import { openStore } from '../index.js';

/**
 * What `pillarboard store copy` moves: every table of the store, in an order that satisfies
 * foreign keys, with the columns of the SQLite schema (the reference: test/store-pg-migrate.test.ts
 * holds PostgreSQL's tables to the same columns). Three tables differ between the engines and are
 * handled on their own (docs/scaling.md, "Moving between SQLite and PostgreSQL"):
 * - `samples_head`: SQLite numbers head rows (`seq`) and keeps a staleness marker as NULL;
 *   PostgreSQL has no `seq` and keeps NaN. The rows move without `seq`, NULL and NaN swapped.
 * - `rollup_dirty`: SQLite marks an hour, PostgreSQL a series-hour. A marked hour becomes a marker
 *   for every series (which makes the destination recompute that hour from raw); markers become
 *   their hours the other way.
 * - `meta`: the destination's bounds are replaced by the source's.
 */
export interface TablePlan {
  name: string;
  /** Columns copied, in the order rows carry them. */
  columns: string[];
  /** SQLite's declared types, per column: INTEGER, REAL, TEXT or BLOB. */
  types: string[];
  /** Primary-key columns: the order rows are read (and compared) in. */
  key: string[];
}

/** Tables that exist only for an engine's own bookkeeping, or only in old SQLite files. */
const NOT_COPIED = new Set(['schema_migrations', 'sqlite_sequence', 'samples']);
/** Tables whose rows are large or many: verified by counts and sampled series, not row by row. */
export const METRIC_TABLES = new Set(['samples_head', 'sample_chunks', 'rollup_1h', 'rollup_dirty']);

let cached: TablePlan[] | undefined;

/** The tables to copy, parents before the tables that reference them. */
export function copyPlan(): TablePlan[] {
  if (cached) return cached;
  const ref = openStore({ path: ':memory:', now: () => 0 });
  try {
    const names = (ref.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter(
      (n) => !NOT_COPIED.has(n),
    );
    const plans = new Map<string, TablePlan & { parents: string[] }>();
    for (const name of names) {
      const info = ref.db.prepare(`SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`).all(name) as Array<{ name: string; type: string; pk: number }>;
      const cols = info.filter((c) => !(name === 'samples_head' && c.name === 'seq'));
      const key =
        name === 'samples_head'
          ? ['series_id', 'ts']
          : info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      const parents = (ref.db.prepare('SELECT "table" FROM pragma_foreign_key_list(?)').pluck().all(name) as string[]).filter((p) => p !== name);
      plans.set(name, { name, columns: cols.map((c) => c.name), types: cols.map((c) => c.type.toUpperCase()), key, parents });
    }
    const ordered: TablePlan[] = [];
    const done = new Set<string>();
    const visit = (n: string) => {
      if (done.has(n)) return;
      done.add(n);
      const p = plans.get(n)!;
      for (const parent of p.parents) if (plans.has(parent)) visit(parent);
      ordered.push({ name: p.name, columns: p.columns, types: p.types, key: p.key });
    };
    for (const n of plans.keys()) visit(n);
    cached = ordered;
    return ordered;
  } finally {
    ref.close();
  }
}
