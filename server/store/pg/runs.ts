import type { RunPoint, RunSummary, RunsBetween } from '../runs.js';
import type { StoredRun, WorkloadVersionRecord } from '../types.js';
import type { WorkloadVersionSummary } from '../workloadVersions.js';
import type { Queryable } from './pool.js';

/** collector_runs and workload_versions in PostgreSQL; answers shaped as the SQLite RunStore's and WorkloadVersionStore's. */

interface RunRow {
  id: number;
  collector_id: string;
  started_at: number;
  duration_ms: number;
  ok: boolean;
  error: string | null;
  samples_written: number;
  warnings: string | null;
}
const COLS = 'id, collector_id, started_at, duration_ms, ok, error, samples_written, warnings';

function toRun(r: RunRow): StoredRun {
  const run: StoredRun = { id: r.id, collectorId: r.collector_id, startedAt: r.started_at, durationMs: r.duration_ms, ok: r.ok, samplesWritten: r.samples_written };
  if (r.error !== null) run.error = r.error;
  if (r.warnings !== null) run.warnings = JSON.parse(r.warnings) as string[];
  return run;
}

/** Newest first by (started_at, id); `limit` defaults to 100. */
export async function listRuns(db: Queryable, opts: { collectorId?: string; limit?: number } = {}): Promise<StoredRun[]> {
  const limit = Math.max(0, Math.floor(opts.limit ?? 100));
  const r =
    opts.collectorId === undefined
      ? await db.query<RunRow>(`SELECT ${COLS} FROM collector_runs ORDER BY started_at DESC, id DESC LIMIT $1`, [limit])
      : await db.query<RunRow>(`SELECT ${COLS} FROM collector_runs WHERE collector_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`, [opts.collectorId, limit]);
  return r.rows.map(toRun);
}

/** One collector's runs in [from, to), oldest first, and its failure streak just before `from` (up to streakCap). */
export async function runsBetween(db: Queryable, collectorId: string, from: number, to: number, streakCap: number): Promise<RunsBetween> {
  const before = await db.query<{ ok: boolean }>(
    'SELECT ok FROM collector_runs WHERE collector_id = $1 AND started_at < $2 ORDER BY started_at DESC, id DESC LIMIT $3',
    [collectorId, from, Math.max(1, streakCap)],
  );
  let streakAtStart = 0;
  for (const { ok } of before.rows) {
    if (ok) break;
    streakAtStart += 1;
  }
  const during = await db.query<{ started_at: number; ok: boolean; error: string | null }>(
    'SELECT started_at, ok, error FROM collector_runs WHERE collector_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at, id',
    [collectorId, from, to],
  );
  return {
    streakAtStart,
    during: during.rows.map((row) => {
      const p: RunPoint = { at: row.started_at, ok: row.ok };
      if (row.error !== null) p.error = row.error;
      return p;
    }),
  };
}

/** Per collector: last run, last success, failures since it (all runs when none succeeded). */
export async function runSummaries(db: Queryable): Promise<Map<string, RunSummary>> {
  // One statement: per collector (a loose index scan), its last run and last success via LATERAL seeks.
  const r = await db.query<{ last: RunRow; ok: RunRow | null; failures: number }>(
    `WITH RECURSIVE c(id) AS (
       SELECT min(collector_id) FROM collector_runs
       UNION ALL
       SELECT (SELECT min(collector_id) FROM collector_runs WHERE collector_id > c.id) FROM c WHERE c.id IS NOT NULL
     )
     SELECT to_json(l) AS last, to_json(o) AS ok,
       (SELECT count(*) FROM collector_runs f WHERE f.collector_id = c.id AND NOT f.ok
          AND (o.id IS NULL OR f.started_at > o.started_at OR (f.started_at = o.started_at AND f.id > o.id))) AS failures
     FROM c
     CROSS JOIN LATERAL (SELECT ${COLS} FROM collector_runs WHERE collector_id = c.id ORDER BY started_at DESC, id DESC LIMIT 1) l
     LEFT JOIN LATERAL (SELECT ${COLS} FROM collector_runs WHERE collector_id = c.id AND ok ORDER BY started_at DESC, id DESC LIMIT 1) o ON true
     WHERE c.id IS NOT NULL
     ORDER BY c.id`,
  );
  const out = new Map<string, RunSummary>();
  for (const row of r.rows) {
    const last = toRun(row.last);
    const summary: RunSummary = { last, consecutiveFailures: row.failures };
    if (row.ok) summary.lastSuccess = toRun(row.ok);
    out.set(last.collectorId, summary);
  }
  return out;
}

/** Stores a version unless the newest stored one has the same hash (then returns that one); call inside a transaction. */
export async function saveWorkloadVersion(db: Queryable, v: Omit<WorkloadVersionRecord, 'id'>): Promise<WorkloadVersionRecord> {
  await db.query('LOCK TABLE workload_versions IN SHARE ROW EXCLUSIVE MODE');
  const cur = await db.query<WorkloadVersionRecord>(
    'SELECT id, hash, applied_at AS "appliedAt", path, source FROM workload_versions ORDER BY id DESC LIMIT 1',
  );
  if (cur.rows[0] && cur.rows[0].hash === v.hash) return cur.rows[0];
  const r = await db.query<{ id: number }>('INSERT INTO workload_versions (hash, applied_at, path, source) VALUES ($1, $2, $3, $4) RETURNING id', [
    v.hash, v.appliedAt, v.path, v.source,
  ]);
  return { id: r.rows[0]!.id, hash: v.hash, appliedAt: v.appliedAt, path: v.path, source: v.source };
}

export async function listWorkloadVersions(db: Queryable, limit = 100): Promise<WorkloadVersionSummary[]> {
  const r = await db.query<WorkloadVersionSummary>(
    'SELECT id, hash, applied_at AS "appliedAt", path FROM workload_versions ORDER BY id DESC LIMIT $1',
    [Math.max(0, Math.floor(limit))],
  );
  return r.rows;
}

export async function getWorkloadVersion(db: Queryable, id: number): Promise<WorkloadVersionRecord | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const r = await db.query<WorkloadVersionRecord>('SELECT id, hash, applied_at AS "appliedAt", path, source FROM workload_versions WHERE id = $1', [id]);
  return r.rows[0];
}
