import pg from 'pg';
import { parsePgUrl, type PgConnection } from '../pg/connection.js';
import { readRaw } from '../pg/raw.js';
import { openPgStore } from '../pg/store.js';
import type { TablePlan } from './plan.js';
import { ALL_TIME, COPY_BATCH_ROWS, type CopyDestination, type CopySource, type Row } from './side.js';

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface PgColumn {
  /** The element type for unnest($n::type[]): int8, int4, float8, text, bytea, bool. */
  udt: string;
  identity: boolean;
}

/** Column types of every table in the public schema. */
async function columnTypes(db: pg.ClientBase): Promise<Map<string, Map<string, PgColumn>>> {
  const r = await db.query<{ table_name: string; column_name: string; udt_name: string; is_identity: string }>(
    "SELECT table_name, column_name, udt_name, is_identity FROM information_schema.columns WHERE table_schema = current_schema()",
  );
  const out = new Map<string, Map<string, PgColumn>>();
  for (const c of r.rows) {
    let t = out.get(c.table_name);
    if (!t) out.set(c.table_name, (t = new Map()));
    t.set(c.column_name, { udt: c.udt_name, identity: c.is_identity === 'YES' });
  }
  return out;
}

/** Key columns in byte order: text keys compared with the "C" collation, as SQLite's BINARY does. */
function keyExprs(plan: TablePlan, types: Map<string, PgColumn> | undefined): string[] {
  const key = plan.name === 'samples_head' ? ['ts', 'series_id'] : plan.key; // the head in arrival order
  return key.map((k) => (types?.get(k)?.udt === 'text' ? `${q(k)} COLLATE "C"` : q(k)));
}

/** Every row of a table in key order: keyset pages of COPY_BATCH_ROWS inside the caller's transaction. */
async function* pagedRows(db: pg.ClientBase, plan: TablePlan, types: Map<string, PgColumn> | undefined): AsyncGenerator<Row[]> {
  const keys = keyExprs(plan, types);
  const keyCols = (plan.name === 'samples_head' ? ['ts', 'series_id'] : plan.key).map((k) => plan.columns.indexOf(k));
  const select = `SELECT ${plan.columns.map(q).join(', ')} FROM ${q(plan.name)}`;
  const order = ` ORDER BY ${keys.join(', ')} LIMIT ${COPY_BATCH_ROWS}`;
  let last: unknown[] | undefined;
  for (;;) {
    const where = last ? ` WHERE (${keys.join(', ')}) > (${keys.map((_, i) => `$${i + 1}`).join(', ')})` : '';
    const r = await db.query<Row>({ text: select + where + order, values: last ?? [], rowMode: 'array' });
    if (r.rows.length === 0) return;
    yield r.rows;
    if (r.rows.length < COPY_BATCH_ROWS) return;
    const end = r.rows[r.rows.length - 1]!;
    last = keyCols.map((i) => end[i]);
  }
}

async function dirtyHoursOf(db: pg.ClientBase | pg.Pool): Promise<number[]> {
  const r = await db.query<{ hour: number }>('SELECT DISTINCT hour FROM rollup_dirty ORDER BY hour');
  return r.rows.map((x) => x.hour);
}

function connect(url: string, env: NodeJS.ProcessEnv): { conn: PgConnection; pool: pg.Pool } {
  const conn = parsePgUrl(url, env);
  const pool = new pg.Pool({ ...conn.pool, max: 2 });
  pool.on('error', () => undefined); // an idle connection dropped: the next query reports it
  return { conn, pool };
}

/**
 * A PostgreSQL store as a copy's source: every read on one connection in one REPEATABLE READ,
 * READ ONLY transaction, so replicas may keep writing while the copy reads one snapshot.
 */
export class PgCopySource implements CopySource {
  readonly label: string;
  private types = new Map<string, Map<string, PgColumn>>();
  private constructor(
    private readonly pool: pg.Pool,
    private readonly client: pg.PoolClient,
    conn: PgConnection,
  ) {
    this.label = conn.redacted;
  }

  static async open(url: string, now: () => number, env: NodeJS.ProcessEnv = process.env): Promise<PgCopySource> {
    // openPgStore checks the connection (one clear line on failure) and applies any migrations-pg/
    // file this release has and the database lacks: only the schema changes, no row is touched.
    await (await openPgStore({ url, env, now, maxConnections: 1 })).close();
    const { conn, pool } = connect(url, env);
    try {
      const client = await pool.connect();
      const src = new PgCopySource(pool, client, conn);
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        src.types = await columnTypes(client);
      } catch (err) {
        client.release();
        throw err;
      }
      return src;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  async count(table: string): Promise<number> {
    return (await this.client.query<{ n: number }>(`SELECT count(*) AS n FROM ${q(table)}`)).rows[0]!.n;
  }
  rows(plan: TablePlan): AsyncIterable<Row[]> {
    return pagedRows(this.client, plan, this.types.get(plan.name));
  }
  dirtyHours(): Promise<number[]> {
    return dirtyHoursOf(this.client);
  }
  async meta(): Promise<Array<[string, string]>> {
    const r = await this.client.query<[string, string]>({ text: 'SELECT key, value FROM meta ORDER BY key COLLATE "C"', rowMode: 'array' });
    return r.rows;
  }
  async raw(seriesId: number): Promise<Array<[number, number]>> {
    return (await readRaw(this.client, [seriesId], ALL_TIME.from, ALL_TIME.to)).get(seriesId) ?? [];
  }
  async seriesIds(): Promise<number[]> {
    return (await this.client.query<{ id: number }>('SELECT id FROM series ORDER BY id')).rows.map((r) => r.id);
  }
  async close(): Promise<void> {
    await this.client.query('ROLLBACK').catch(() => undefined);
    this.client.release();
    await this.pool.end().catch(() => undefined);
  }
}

/**
 * A PostgreSQL database as a copy's destination: migrated (created tables) first, then filled in
 * one transaction that also moves each identity column's sequence past the copied ids. A failed
 * copy rolls back and leaves the database as empty as it was.
 */
export class PgCopyDestination implements CopyDestination {
  readonly label: string;
  private types = new Map<string, Map<string, PgColumn>>();
  private client: pg.PoolClient | undefined;
  private readonly copied = new Set<string>();

  private constructor(private readonly pool: pg.Pool, conn: PgConnection) {
    this.label = conn.redacted;
  }

  static async open(url: string, now: () => number, env: NodeJS.ProcessEnv = process.env): Promise<PgCopyDestination> {
    // openPgStore checks the connection (one clear line on failure) and applies migrations-pg/.
    await (await openPgStore({ url, env, now, maxConnections: 1 })).close();
    const { conn, pool } = connect(url, env);
    const d = new PgCopyDestination(pool, conn);
    try {
      d.client = await pool.connect();
      await d.client.query('BEGIN');
      d.types = await columnTypes(d.client);
    } catch (err) {
      await d.abort();
      throw err;
    }
    return d;
  }

  private tx(): pg.PoolClient {
    if (!this.client) throw new Error('copy destination is not in its transaction');
    return this.client;
  }

  async nonEmpty(plans: readonly TablePlan[]): Promise<Array<{ table: string; rows: number }>> {
    const out: Array<{ table: string; rows: number }> = [];
    for (const p of plans) {
      if (p.name === 'meta') continue;
      const n = (await this.tx().query<{ n: number }>(`SELECT count(*) AS n FROM ${q(p.name)}`)).rows[0]!.n;
      if (n > 0) out.push({ table: p.name, rows: n });
    }
    return out;
  }

  async insert(plan: TablePlan, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const types = this.types.get(plan.name);
    if (!types) throw new Error(`${this.label} has no table ${plan.name}; is it migrated by this release?`);
    const casts = plan.columns.map((c) => {
      const t = types.get(c);
      if (!t) throw new Error(`${this.label}: table ${plan.name} has no column ${c}`);
      return t.udt;
    });
    // One statement per batch whatever its size: a parameter per column, an array of values each.
    const arrays = plan.columns.map(() => new Array<unknown>(rows.length));
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      for (let c = 0; c < row.length; c++) {
        let v = row[c];
        if (casts[c] === 'bool' && typeof v === 'number') v = v !== 0;
        else if (typeof v === 'number' && casts[c] === 'float8' && Number.isNaN(v)) v = 'NaN';
        arrays[c]![r] = v;
      }
    }
    const cols = plan.columns.map(q).join(', ');
    const params = casts.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
    await this.tx().query(`INSERT INTO ${q(plan.name)} (${cols}) SELECT * FROM unnest(${params})`, arrays);
    this.copied.add(plan.name);
  }

  async markDirty(hours: readonly number[]): Promise<void> {
    if (hours.length === 0) return;
    // An hour SQLite marked names no series: mark it for every one, from its start, so the
    // destination recomputes the whole hour from raw (rollups.ts: planDay).
    await this.tx().query(
      `INSERT INTO rollup_dirty (hour, series_id, min_ts) SELECT h, s.id, h * 3600000 FROM unnest($1::bigint[]) AS h CROSS JOIN series s
       ON CONFLICT (hour, series_id) DO UPDATE SET min_ts = LEAST(rollup_dirty.min_ts, EXCLUDED.min_ts)`,
      [hours],
    );
  }

  async replaceMeta(rows: ReadonlyArray<[string, string]>): Promise<void> {
    await this.tx().query('DELETE FROM meta');
    if (rows.length > 0) {
      await this.tx().query('INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::text[])', [rows.map((r) => r[0]), rows.map((r) => r[1])]);
    }
  }

  async commit(): Promise<void> {
    const tx = this.tx();
    for (const table of this.copied) {
      for (const [col, t] of this.types.get(table) ?? []) {
        if (!t.identity) continue;
        await tx.query(`SELECT setval(pg_get_serial_sequence($1, $2), (SELECT max(${q(col)}) FROM ${q(table)}))`, [table, col]);
      }
    }
    await tx.query('COMMIT');
    tx.release();
    this.client = undefined;
  }

  async abort(): Promise<void> {
    if (this.client) {
      const c = this.client;
      this.client = undefined;
      let broken: Error | undefined;
      await c.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      c.release(broken);
    }
    await this.pool.end().catch(() => undefined);
  }

  async count(table: string): Promise<number> {
    return (await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${q(table)}`)).rows[0]!.n;
  }
  async *rows(plan: TablePlan): AsyncIterable<Row[]> {
    const client = await this.pool.connect();
    try {
      yield* pagedRows(client, plan, this.types.get(plan.name));
    } finally {
      client.release();
    }
  }
  dirtyHours(): Promise<number[]> {
    return dirtyHoursOf(this.pool);
  }
  async raw(seriesId: number): Promise<Array<[number, number]>> {
    return (await readRaw(this.pool, [seriesId], ALL_TIME.from, ALL_TIME.to)).get(seriesId) ?? [];
  }
  async close(): Promise<void> {
    await this.abort();
  }
}
