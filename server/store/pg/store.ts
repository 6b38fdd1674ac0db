import pg from 'pg';
import type { Logger, Sample } from '../../../collectors/types.js';
import type { MetricStore } from '../backend.js';
import { CHUNK_MAX_TS } from '../chunkCodec.js';
import { DEFAULT_HEAD_MAX_ROWS } from '../compaction.js';
import { historyEnd } from '../index.js';
import { addRollupDay, Buckets, planRange } from '../query.js';
import { decodeDay, DAY_MS, FIELDS, HOUR_MS } from '../rollupCodec.js';
import { DEFAULT_RETENTION, type RetentionResult } from '../retention.js';
import { InvalidSampleError } from '../series.js';
import type { CollectorRunRecord, RangeQuery, RangeResult, RangeSeries, RetentionPolicy, Selector, StoredRun } from '../types.js';
import { checkConnection, parsePgUrl, type PgConnection } from './connection.js';
import { findPgMigrationsDir, migratePg } from './migrate.js';
import { inTransaction, LOCK, WRITE_START, type Queryable } from './pool.js';
import { boundsOf, type Bounds, firstRawTs, groupBySeries, latestRaw, raiseBound, readBounds, readRaw, writeChunks } from './raw.js';
import { applyPgRetention } from './retention.js';
import * as rollups from './rollups.js';
import * as runs from './runs.js';
import { PgSeries, type Pending } from './series.js';

export interface OpenPgStoreOptions {
  /** postgres://user:pass@host:port/db (connection.ts: password sources, TLS), or a pg.Pool the caller owns (not ended by close()). */
  url?: string;
  /** Environment for the password and TLS fallbacks (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** A pool the caller owns; it must be made with `types: storeTypes` (pool.ts), so bigints read as numbers. */
  pool?: pg.Pool;
  /** Most connections this store opens (default 10). */
  maxConnections?: number;
  /** Apply pending migrations-pg/ files on open (default true). */
  migrate?: boolean;
  migrationsDir?: string;
  retention?: Partial<RetentionPolicy>;
  /** The runtime clock's reading (ms epoch); no default (one clock). */
  now: () => number;
  /** Head size (rows) that triggers a compaction into chunks; the SQLite store's default rule otherwise. */
  headMaxRows?: number;
  log?: Logger;
}

/**
 * The metric store on PostgreSQL (issue 14): the SQLite store's layout and behaviour — a head
 * of recent raw samples compacted into compressed chunks, packed hourly rollups brought up to
 * date from dirty markers, retention by hour-aligned horizons — with the same codecs, so the
 * data moves between the two unchanged. Every write is one transaction (samples, their dirty
 * markers, new series and a run row together). Several processes may share the database:
 * writes take a shared advisory lock, compaction and retention an exclusive one.
 */
export class PgMetricStore implements MetricStore {
  readonly backend = 'postgres' as const;
  readonly pool: pg.Pool;
  /** The parsed URL (password redacted in `redacted`), when the store opened its own pool. */
  readonly connection?: PgConnection;
  private readonly ownsPool: boolean;
  private retention: RetentionPolicy = { ...DEFAULT_RETENTION };
  private readonly now: () => number;
  private readonly series = new PgSeries();
  private readonly headMaxRowsOpt?: number;
  private largestBatch = 0;
  /** Head rows written by this process since its last count (an upper bound). */
  private headRows = 0;
  private knownSeries = 0;
  private closed = false;
  private compacting?: Promise<unknown>;
  /** The bounds the last write saw, for the fast path (which checks them again under the lock). */
  private lastBounds?: Bounds;
  private readonly log?: Logger;

  constructor(opts: OpenPgStoreOptions) {
    if (typeof opts.now !== 'function') throw new TypeError("openPgStore: now is required (the runtime clock's reading, e.g. () => clock.now())");
    this.now = opts.now;
    if (opts.retention) this.setRetention(opts.retention);
    if (opts.headMaxRows !== undefined) this.headMaxRowsOpt = Math.max(2, Math.floor(opts.headMaxRows));
    this.log = opts.log;
    if (opts.pool) {
      this.pool = opts.pool;
      this.ownsPool = false;
    } else {
      if (!opts.url) throw new TypeError('openPgStore: url or pool is required');
      this.connection = parsePgUrl(opts.url, opts.env);
      // pipelined: a write sends BEGIN, its statements and COMMIT without waiting for each answer
      this.pool = new pg.Pool({ ...this.connection.pool, max: opts.maxConnections ?? 10, pipeline: true });
      this.ownsPool = true;
      // An idle connection the server drops (a restart) must not crash the process: the pool replaces it.
      this.pool.on('error', (err) => this.log?.warn('store: an idle PostgreSQL connection failed', { error: err.message }));
    }
  }

  /** Counts the head and the series once after open, for the compaction trigger. */
  async init(): Promise<void> {
    const r = await this.pool.query<{ head: number; series: number }>('SELECT (SELECT count(*) FROM samples_head) AS head, (SELECT count(*) FROM series) AS series');
    this.headRows = r.rows[0]!.head;
    this.knownSeries = r.rows[0]!.series;
  }

  async writeSamples(samples: readonly Sample[]): Promise<number> {
    this.assertOpen();
    const history = historyEnd(samples);
    if (history !== undefined) await this.compactHeadBefore(history);
    else this.largestBatch = Math.max(this.largestBatch, samples.length);
    await this.write(samples, 0);
    return samples.length;
  }

  async recordRun(run: CollectorRunRecord, samples: readonly Sample[], options: { seriesLimit?: number } = {}): Promise<StoredRun> {
    this.assertOpen();
    this.largestBatch = Math.max(this.largestBatch, samples.length);
    return (await this.write(samples, options.seriesLimit ?? 0, run))!;
  }

  async seriesCount(): Promise<number> {
    return this.series.count(this.pool);
  }

  async findSeries(selector: Selector, limit?: number) {
    return this.series.find(this.pool, selector, limit);
  }

  async getSeries(id: number) {
    return this.series.get(this.pool, id);
  }

  async querySeries(selector: Selector, q: RangeQuery): Promise<RangeResult> {
    const { step, agg, first, last, source } = planRange(q, this.now(), this.retention.rawMs);
    if (source === 'rollup') await this.updateRollups();
    const found = await this.series.find(this.pool, selector);
    const ids = found.map((s) => s.id);
    const out: RangeSeries[] = [];
    if (source === 'raw') {
      const raw = await readRaw(this.pool, ids, first, last + step - 1);
      for (const series of found) {
        const b = new Buckets(step, agg);
        for (const [ts, v] of raw.get(series.id) ?? []) if (v === v) b.add(ts, 1, v, v, v, v);
        out.push({ series, points: b.finish() });
      }
    } else {
      const end = last + step; // exclusive
      const days = await rollups.readDayRange(this.pool, ids, Math.floor(first / DAY_MS), Math.floor((end - 1) / DAY_MS));
      const scratch = new Float64Array(24 * FIELDS);
      for (const series of found) {
        const b = new Buckets(step, agg);
        for (const { day, data } of days.get(series.id) ?? []) addRollupDay(b, day, decodeDay(data, day, scratch), first, end);
        out.push({ series, points: b.finish() });
      }
    }
    return { source, series: out };
  }

  async rawPoints(seriesId: number, from: number, to: number): Promise<Array<[number, number]>> {
    return (await readRaw(this.pool, [seriesId], from, to)).get(seriesId) ?? [];
  }

  async firstSampleAt(seriesId: number): Promise<number | undefined> {
    const [raw, hour] = await Promise.all([firstRawTs(this.pool, seriesId, true), rollups.firstHour(this.pool, seriesId)]);
    if (hour === undefined) return raw;
    if (raw === undefined) return hour;
    return hour < Math.floor(raw / HOUR_MS) * HOUR_MS ? hour : raw;
  }

  async latestSample(seriesId: number) {
    return latestRaw(this.pool, seriesId);
  }

  async firstDataTs(selector: Selector): Promise<number | undefined> {
    const ids = (await this.series.find(this.pool, selector)).map((s) => s.id);
    if (ids.length === 0) return undefined;
    let first: number | undefined;
    const raw = await this.pool.query<{ t: number | null }>(
      `SELECT least((SELECT min(first_ts) FROM sample_chunks WHERE series_id = ANY($1::bigint[])),
                    (SELECT min(ts) FROM samples_head WHERE series_id = ANY($1::bigint[]))) AS t`,
      [ids],
    );
    if (raw.rows[0]!.t !== null) first = raw.rows[0]!.t;
    // the first stored day of each series: its first non-empty hour
    const days = await this.pool.query<{ series_id: number }>(
      'SELECT DISTINCT series_id FROM rollup_1h WHERE series_id = ANY($1::bigint[])',
      [ids],
    );
    for (const { series_id: sid } of days.rows) {
      const h = await rollups.firstHour(this.pool, sid);
      if (h !== undefined && (first === undefined || h < first)) first = h;
    }
    return first;
  }

  async rollupHours(seriesId: number, from: number, to: number) {
    await this.updateRollups();
    return rollups.rollupHours(this.pool, seriesId, from, to);
  }

  async updateRollups(): Promise<{ seriesDays: number }> {
    this.assertOpen();
    // one round trip when nothing is dirty (every rollup query asks), instead of a transaction's four
    const dirty = await this.pool.query('SELECT 1 FROM rollup_dirty LIMIT 1');
    if (dirty.rows.length === 0) return { seriesDays: 0 };
    return inTransaction(this.pool, (c) => rollups.updateRollups(c));
  }

  async compactHead(keepRows = Math.floor(this.headMaxRows() / 2)): Promise<{ moved: number }> {
    this.assertOpen();
    const keep = Math.max(0, Math.floor(keepRows));
    return this.move(async (c, headFrom) => {
      const r = await c.query<{ ts: number }>('SELECT ts FROM samples_head ORDER BY ts DESC LIMIT 1 OFFSET $1', [Math.max(0, keep - 1)]);
      const cut = r.rows[0]?.ts;
      return cut === undefined || cut <= headFrom ? undefined : cut;
    });
  }

  /** Moves head rows older than `ts` into chunks and raises head_from to `ts` (before a bulk write of history). */
  async compactHeadBefore(ts: number): Promise<{ moved: number }> {
    this.assertOpen();
    return this.move(async (_c, headFrom) => (ts <= headFrom ? undefined : ts));
  }

  setRetention(policy: Partial<RetentionPolicy>): void {
    const next = { ...this.retention, ...policy };
    if (!(next.rawMs > 0) || !(next.hourlyMs > 0)) throw new RangeError('retention: rawMs and hourlyMs must be positive');
    this.retention = next;
  }

  retentionPolicy(): RetentionPolicy {
    return { ...this.retention };
  }

  async applyRetention(now: number = this.now()): Promise<RetentionResult> {
    this.assertOpen();
    const r = await applyPgRetention(this.pool, this.retention, now);
    this.series.forget(r.removedSeries);
    return r.result;
  }

  async listRuns(opts?: { collectorId?: string; limit?: number }) {
    return runs.listRuns(this.pool, opts);
  }

  async collectorRunsBetween(collectorId: string, from: number, to: number, streakCap: number) {
    return runs.runsBetween(this.pool, collectorId, from, to, streakCap);
  }

  async runSummaries() {
    return runs.runSummaries(this.pool);
  }

  async saveWorkloadVersion(v: { hash: string; path: string; source: string; appliedAt: number }) {
    this.assertOpen();
    return inTransaction(this.pool, (c) => runs.saveWorkloadVersion(c, v));
  }

  async listWorkloadVersions(limit?: number) {
    return runs.listWorkloadVersions(this.pool, limit);
  }

  async getWorkloadVersion(id: number) {
    return runs.getWorkloadVersion(this.pool, id);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await inTransaction(this.pool, (c) => rollups.updateRollups(c));
    } finally {
      if (this.ownsPool) await this.pool.end();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the store is closed');
  }

  private headMaxRows(): number {
    return this.headMaxRowsOpt ?? Math.max(DEFAULT_HEAD_MAX_ROWS, 32 * this.largestBatch, 128 * this.knownSeries);
  }

  /**
   * One write transaction: validates every sample (nothing is sent for a batch with a bad one),
   * resolves series, then puts each sample where its ts belongs — the head, a chunk (older than
   * the head) or straight into its rollup (older than the raw horizon) — with its dirty marker,
   * and the run row. Compacts the head afterwards when it has grown past its bound.
   */
  private async write(samples: readonly Sample[], seriesLimit: number, run?: CollectorRunRecord): Promise<StoredRun | undefined> {
    const n = samples.length;
    const sidOrPending: Array<number | string> = new Array(n);
    const pending = new Map<string, Pending>();
    for (let i = 0; i < n; i++) {
      const s = samples[i]!;
      const ts = s.ts;
      if (!Number.isSafeInteger(ts) || ts > CHUNK_MAX_TS || ts < -CHUNK_MAX_TS) {
        throw new InvalidSampleError(`sample ${i} (${String(s.name)}): ts must be an integer ms epoch within ±2^47, got ${String(ts)}`);
      }
      if (typeof s.value !== 'number') throw new InvalidSampleError(`sample ${i} (${String(s.name)}): value must be a number, got ${typeof s.value}`);
      let found: number | Pending;
      try {
        found = this.series.lookup(s.name, s.labels);
      } catch (err) {
        if (err instanceof InvalidSampleError) throw new InvalidSampleError(`sample ${i}: ${err.message}`);
        throw err;
      }
      if (typeof found === 'number') sidOrPending[i] = found;
      else {
        const k = found.name + '\u0001' + found.key;
        if (!pending.has(k)) pending.set(k, found);
        sidOrPending[i] = k;
      }
    }
    if (pending.size === 0 && this.lastBounds) {
      const fast = await this.fastWrite(samples, sidOrPending as number[], run);
      if (fast) return fast.run;
    }
    let ids = new Map<string, number>();
    let headWritten = 0;
    const stored = await inTransaction(
      this.pool,
      async (c, begun) => {
        const bounds = boundsOf(begun[1]!.rows as Array<{ key: string; value: string }>);
        this.lastBounds = bounds;
        const { rawHorizon, headFrom } = bounds;
        if (pending.size > 0) ids = await this.series.resolve(c, pending, seriesLimit);
        const hs: number[] = [];
        const hts: number[] = [];
        const hvs: number[] = [];
        const cs: number[] = [];
        const cts: number[] = [];
        const cvs: number[] = [];
        let late: Map<number, Array<[number, number]>> | undefined;
        const marks = new Map<number, Map<number, number>>();
        for (let i = 0; i < n; i++) {
          const p = sidOrPending[i]!;
          const sid = typeof p === 'number' ? p : ids.get(p)!;
          const { ts, value } = samples[i]!;
          if (ts < rawHorizon) {
            late ??= new Map();
            const list = late.get(sid);
            if (list) list.push([ts, value]);
            else late.set(sid, [[ts, value]]);
            continue;
          }
          if (ts >= headFrom) {
            hs.push(sid);
            hts.push(ts);
            hvs.push(value);
          } else {
            cs.push(sid);
            cts.push(ts);
            cvs.push(value);
          }
          const hour = Math.floor(ts / HOUR_MS);
          let m = marks.get(hour);
          if (!m) marks.set(hour, (m = new Map()));
          const prev = m.get(sid);
          if (prev === undefined || ts < prev) m.set(sid, ts);
        }
        if (late) for (const [sid, points] of late) await rollups.mergeLate(c, sid, points);
        if (cs.length > 0) await writeChunks(c, groupBySeries(cs, cts, cvs));
        const out = await c.query<{ ok: boolean; id: number | null }>(headMarksRun(hs, hts, hvs, marks, run, null));
        headWritten = hs.length;
        return run ? storedRun(run, out.rows[0]!.id!) : undefined;
      },
      WRITE_START,
    );
    this.series.remember(pending, ids);
    this.knownSeries += pending.size;
    await this.afterWrite(headWritten);
    return stored;
  }

  /**
   * A write whose series are all known and whose samples all belong in the head by the bounds
   * last seen: BEGIN, the shared lock, one statement and COMMIT sent at once on a pipelined
   * connection (one round trip instead of three). The statement checks the bounds itself, under
   * the lock, and writes nothing when they have moved (another process compacted or applied
   * retention): then undefined, and the caller takes the general path.
   */
  private async fastWrite(samples: readonly Sample[], sids: number[], run: CollectorRunRecord | undefined): Promise<{ run?: StoredRun } | undefined> {
    const b = this.lastBounds!;
    const floor = Math.max(b.headFrom, b.rawHorizon);
    const ts: number[] = new Array(samples.length);
    const vs: number[] = new Array(samples.length);
    let minTs = Number.POSITIVE_INFINITY;
    const marks = new Map<number, Map<number, number>>();
    for (let i = 0; i < samples.length; i++) {
      const t = samples[i]!.ts;
      if (t < floor) return undefined;
      ts[i] = t;
      vs[i] = samples[i]!.value;
      if (t < minTs) minTs = t;
      const hour = Math.floor(t / HOUR_MS);
      let m = marks.get(hour);
      if (!m) marks.set(hour, (m = new Map()));
      const prev = m.get(sids[i]!);
      if (prev === undefined || t < prev) m.set(sids[i]!, t);
    }
    const client = await this.pool.connect();
    let broken: Error | undefined;
    let out: { ok: boolean; id: number | null } | undefined;
    let replaced = false;
    try {
      const sent = [
        client.query('BEGIN'),
        client.query(`SELECT pg_advisory_xact_lock_shared(${LOCK.WRITE})`),
        // a plain insert: a replaced sample is rare in a run, and takes the general path
        client.query<{ ok: boolean; id: number | null }>(headMarksRun(sids, ts, vs, marks, run, samples.length ? minTs : null, false)),
        client.query('COMMIT'),
      ];
      const settled = await Promise.allSettled(sent);
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        // a failed statement aborts the transaction and COMMIT answers ROLLBACK; make sure of it
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
        if ((failed.reason as { code?: string }).code === '23505' && !broken) replaced = true;
        else throw failed.reason;
      } else {
        out = (settled[2] as PromiseFulfilledResult<pg.QueryResult<{ ok: boolean; id: number | null }>>).value.rows[0]!;
      }
    } finally {
      client.release(broken);
    }
    if (replaced) return undefined; // a sample replaces a stored one: the general path upserts
    if (!out!.ok) {
      this.lastBounds = undefined;
      return undefined;
    }
    await this.afterWrite(samples.length);
    return { run: run ? storedRun(run, out!.id!) : undefined };
  }

  /** Counts head rows written and compacts when the head has grown past its bound. */
  private async afterWrite(headWritten: number): Promise<void> {
    this.headRows += headWritten;
    // One compaction at a time per process: writes finishing together would otherwise each
    // start one, queue on the exclusive lock and find nothing left to move (measured: 3x the
    // time in compaction with 4 collectors writing at once).
    if (this.headRows >= this.headMaxRows() && !this.compacting) {
      this.compacting = this.compactHead()
        .catch((err: unknown) => this.log?.warn('store: moving the sample head into chunks failed; will retry', { error: (err as Error).message }))
        .finally(() => {
          this.compacting = undefined;
        });
      await this.compacting;
    }
  }

  /**
   * One compaction transaction under the exclusive write lock: `cutAt` picks the new head
   * bound from the current one; rows below it leave the head (one DELETE … RETURNING) and are
   * encoded into their series' chunks; head_from rises to it. All or nothing.
   */
  private async move(cutAt: (c: pg.PoolClient, headFrom: number) => Promise<number | undefined>): Promise<{ moved: number }> {
    const moved = await inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK.WRITE]);
      const { headFrom } = await readBounds(c);
      const cut = await cutAt(c, headFrom);
      if (cut === undefined) return 0;
      const rows = await c.query({ text: 'DELETE FROM samples_head WHERE ts < $1 RETURNING series_id, ts, value', values: [cut], rowMode: 'array' });
      const sids = new Float64Array(rows.rows.length);
      const ts = new Float64Array(rows.rows.length);
      const vs = new Float64Array(rows.rows.length);
      rows.rows.forEach((r: unknown[], i) => {
        sids[i] = r[0] as number;
        ts[i] = r[1] as number;
        vs[i] = r[2] as number;
      });
      await writeChunks(c, groupBySeries(sids, ts, vs));
      await raiseBound(c, 'head_from', cut);
      this.lastBounds = undefined;
      return rows.rows.length;
    });
    const left = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM samples_head');
    this.headRows = left.rows[0]!.n;
    return { moved };
  }
}

/**
 * The common part of every write as one statement: head rows (a sample at an existing
 * (series, ts) replaces the value; of two in the batch the later wins, since PostgreSQL
 * refuses to update one row twice in a statement), the rollup dirty markers (a marker is
 * rewritten only when its smallest ts goes down, so a run of new samples costs no dead row),
 * and the run row when there is one. With `guardMinTs`, it writes nothing unless every sample
 * (the smallest ts) is at or above both bounds as stored, and says so in `ok`. Without
 * `replace`, a sample at an existing (series, ts) fails the statement (unique violation)
 * instead of replacing the value: a plain insert costs a third less than an upsert (measured).
 */
function headMarksRun(
  sids: number[], ts: number[], values: number[], marks: Map<number, Map<number, number>>, run: CollectorRunRecord | undefined, guardMinTs: number | null,
  replace = true,
): pg.QueryConfig {
  const seen = new Map<number, Map<number, number>>();
  let dup = false;
  for (let i = 0; i < sids.length; i++) {
    let m = seen.get(sids[i]!);
    if (!m) seen.set(sids[i]!, (m = new Map()));
    if (m.has(ts[i]!)) dup = true;
    m.set(ts[i]!, i);
  }
  if (dup) {
    const keep: number[] = [];
    for (const m of seen.values()) for (const i of m.values()) keep.push(i);
    keep.sort((a, b) => a - b);
    sids = keep.map((i) => sids[i]!);
    ts = keep.map((i) => ts[i]!);
    values = keep.map((i) => values[i]!);
  }
  const mh: number[] = [];
  const ms: number[] = [];
  const mt: number[] = [];
  for (const [h, m] of marks) {
    for (const [sid, t] of m) {
      mh.push(h);
      ms.push(sid);
      mt.push(t);
    }
  }
  const values$: unknown[] = [sids, ts, values.map(floatParam), mh, ms, mt, guardMinTs];
  let runCte = '';
  if (run) {
    values$.push(
      run.collectorId, run.startedAt, run.durationMs, run.ok, run.error ?? null, run.samplesWritten,
      run.warnings && run.warnings.length > 0 ? JSON.stringify(run.warnings) : null,
    );
    runCte = `, r AS (INSERT INTO collector_runs (collector_id, started_at, duration_ms, ok, error, samples_written, warnings)
      SELECT $8, $9, $10, $11, $12, $13, $14 FROM g WHERE g.ok RETURNING id)`;
  }
  return {
    text: `WITH g AS (
       SELECT $7::bigint IS NULL OR $7::bigint >= greatest(
         coalesce((SELECT value::bigint FROM meta WHERE key = 'head_from'), -9223372036854775808),
         coalesce((SELECT value::bigint FROM meta WHERE key = 'raw_horizon'), -9223372036854775808)) AS ok
     ), h AS (
       INSERT INTO samples_head (series_id, ts, value)
       SELECT u.* FROM unnest($1::bigint[], $2::bigint[], $3::float8[]) AS u, g WHERE g.ok
       ${replace ? 'ON CONFLICT (series_id, ts) DO UPDATE SET value = EXCLUDED.value' : ''} RETURNING 1
     ), d AS (
       INSERT INTO rollup_dirty (hour, series_id, min_ts)
       SELECT u.* FROM unnest($4::bigint[], $5::bigint[], $6::bigint[]) AS u, g WHERE g.ok
       ON CONFLICT (hour, series_id) DO UPDATE SET min_ts = EXCLUDED.min_ts WHERE EXCLUDED.min_ts < rollup_dirty.min_ts RETURNING 1
     )${runCte}
     SELECT (SELECT ok FROM g) AS ok, (SELECT count(*) FROM h) AS head, (SELECT count(*) FROM d) AS marks, ${run ? '(SELECT id FROM r)' : 'NULL::bigint'} AS id`,
    values: values$,
  };
}

/** The run as stored, in the shape the SQLite store returns (no empty error or warnings). */
function storedRun(run: CollectorRunRecord, id: number): StoredRun {
  const stored: StoredRun = { ...run, id };
  if (stored.error === undefined) delete stored.error;
  if (!stored.warnings?.length) delete stored.warnings;
  return stored;
}

/** A float8 array element as PostgreSQL's text reads it: NaN and ±Infinity spelled out. */
function floatParam(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * Opens the PostgreSQL store at opts.url (migrating it first unless migrate is false). A URL that
 * cannot be used, or a server that refuses it, rejects with one line naming what is wrong, the
 * URL's password redacted (DatabaseConnectError).
 */
export async function openPgStore(opts: OpenPgStoreOptions): Promise<PgMetricStore> {
  const store = new PgMetricStore(opts);
  try {
    if (store.connection) await checkConnection(store.connection);
    if (opts.migrate ?? true) await migratePg(store.pool, opts.migrationsDir ?? findPgMigrationsDir(), opts.now);
    await store.init();
  } catch (err) {
    if (!opts.pool) await store.pool.end().catch(() => undefined);
    throw err;
  }
  return store;
}
