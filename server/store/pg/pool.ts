import pg from 'pg';

/** OIDs whose text the store reads as JavaScript numbers: every bigint it keeps is below 2^53. */
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (v: string) => Number(v);

/** pg's parsers, except bigint and numeric (count(*), sum(...)) as numbers instead of strings. */
export const storeTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if ((oid === INT8 || oid === NUMERIC) && format !== 'binary') return toNumber;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

export type Queryable = pg.Pool | pg.PoolClient;

/**
 * Runs `fn` in one transaction on one pooled connection: committed when it resolves, rolled
 * back when it throws (the error is rethrown as it was). A connection whose ROLLBACK failed is
 * discarded instead of going back to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, begun: pg.QueryResult[]) => Promise<T>,
  /** Statements (no parameters) sent with BEGIN in the same round trip; their results go to fn. */
  withBegin = '',
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const begun = (await client.query(withBegin ? `BEGIN; ${withBegin}` : 'BEGIN')) as unknown as pg.QueryResult | pg.QueryResult[];
    try {
      const out = await fn(client, Array.isArray(begun) ? begun.slice(1) : []);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      throw err;
    }
  } finally {
    client.release(broken);
  }
}

/**
 * Advisory lock keys (transaction-scoped). Metric writes hold WRITE shared; head compaction and
 * retention, which move the head/chunk split and the raw horizon, hold it exclusive, so a write
 * never sees a bound move under it. ROLLUPS serialises rollup updates between processes.
 */
export const LOCK = {
  WRITE: '7596498201230001',
  ROLLUPS: '7596498201230002',
} as const;

/**
 * Sent with BEGIN at the start of a metric write (one round trip): the shared write lock, then
 * the bounds, which stay put while it is held.
 */
export const WRITE_START = `SELECT pg_advisory_xact_lock_shared(${LOCK.WRITE});
  SELECT key, value FROM meta WHERE key IN ('raw_horizon', 'head_from')`;
