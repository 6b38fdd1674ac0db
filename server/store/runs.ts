import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import type { CollectorRunRecord, StoredRun } from './types.js';

export interface RunSummary {
  last: StoredRun;
  lastSuccess?: StoredRun;
  /** Failed runs since the last success (all runs kept, if none ever succeeded). */
  consecutiveFailures: number;
}

type RunRow = [number, string, number, number, number, string | null, number, string | null];
const COLS = 'id, collector_id, started_at, duration_ms, ok, error, samples_written, warnings';

function toRun(r: RunRow): StoredRun {
  const run: StoredRun = { id: r[0], collectorId: r[1], startedAt: r[2], durationMs: r[3], ok: r[4] === 1, samplesWritten: r[6] };
  if (r[5] !== null) run.error = r[5];
  if (r[7] !== null) run.warnings = JSON.parse(r[7]) as string[];
  return run;
}

/** One run as a range read returns it. */
export interface RunPoint {
  at: number;
  ok: boolean;
  error?: string;
}

export interface RunsBetween {
  /** Failed runs in a row just before the range, up to the cap asked for. */
  streakAtStart: number;
  during: RunPoint[];
}

/** The only reader and writer of collector_runs. Order is newest first by (started_at, id). */
export class RunStore {
  private readonly insertRun: Database.Statement;
  private readonly lastOf: Database.Statement;
  private readonly lastOkOf: Database.Statement;
  private readonly failuresAfter: Database.Statement;
  private readonly countOf: Database.Statement;
  private readonly collectors: Database.Statement;
  private readonly during: Database.Statement;
  private readonly okBefore: Database.Statement;

  constructor(private readonly db: Db) {
    this.during = db
      .prepare(`SELECT started_at, ok, error FROM collector_runs WHERE collector_id = ? AND started_at >= ? AND started_at < ? ORDER BY started_at, id`)
      .raw();
    this.okBefore = db
      .prepare(`SELECT ok FROM collector_runs WHERE collector_id = ? AND started_at < ? ORDER BY started_at DESC, id DESC LIMIT ?`)
      .pluck();
    this.insertRun = db.prepare(
      `INSERT INTO collector_runs (collector_id, started_at, duration_ms, ok, error, samples_written, warnings)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.lastOf = db.prepare(`SELECT ${COLS} FROM collector_runs WHERE collector_id = ? ORDER BY started_at DESC, id DESC LIMIT 1`).raw();
    this.lastOkOf = db
      .prepare(`SELECT ${COLS} FROM collector_runs WHERE collector_id = ? AND ok = 1 ORDER BY started_at DESC, id DESC LIMIT 1`)
      .raw();
    this.failuresAfter = db
      .prepare(
        `SELECT count(*) FROM collector_runs WHERE collector_id = ? AND ok = 0
           AND (started_at > ? OR (started_at = ? AND id > ?))`,
      )
      .pluck();
    this.countOf = db.prepare('SELECT count(*) FROM collector_runs WHERE collector_id = ?').pluck();
    // Loose index scan: one seek per distinct collector instead of reading all history.
    this.collectors = db
      .prepare(
        `WITH RECURSIVE c(id) AS (
           SELECT min(collector_id) FROM collector_runs
           UNION ALL
           SELECT (SELECT min(collector_id) FROM collector_runs WHERE collector_id > c.id) FROM c WHERE c.id IS NOT NULL
         ) SELECT id FROM c WHERE id IS NOT NULL`,
      )
      .pluck();
  }

  /**
   * One collector's runs started in [from, to), oldest first, and how many runs in a row had
   * failed just before `from` (counted up to `streakCap`): what a report of a past week needs.
   */
  between(collectorId: string, from: number, to: number, streakCap: number): RunsBetween {
    let streakAtStart = 0;
    for (const ok of this.okBefore.all(collectorId, from, Math.max(1, streakCap)) as number[]) {
      if (ok === 1) break;
      streakAtStart += 1;
    }
    const during = (this.during.all(collectorId, from, to) as Array<[number, number, string | null]>).map(([at, ok, error]) => {
      const run: RunPoint = { at, ok: ok === 1 };
      if (error !== null) run.error = error;
      return run;
    });
    return { streakAtStart, during };
  }

  /** Inserts the run row; call inside the transaction that writes the run's samples. */
  insert(run: CollectorRunRecord): StoredRun {
    const info = this.insertRun.run(
      run.collectorId,
      run.startedAt,
      run.durationMs,
      run.ok ? 1 : 0,
      run.error ?? null,
      run.samplesWritten,
      run.warnings && run.warnings.length > 0 ? JSON.stringify(run.warnings) : null,
    );
    const stored: StoredRun = { ...run, id: Number(info.lastInsertRowid) };
    if (stored.error === undefined) delete stored.error;
    if (!stored.warnings?.length) delete stored.warnings;
    return stored;
  }

  /** Newest first; `limit` defaults to 100. */
  list(opts: { collectorId?: string; limit?: number } = {}): StoredRun[] {
    const limit = Math.max(0, Math.floor(opts.limit ?? 100));
    const rows =
      opts.collectorId === undefined
        ? this.db.prepare(`SELECT ${COLS} FROM collector_runs ORDER BY started_at DESC, id DESC LIMIT ?`).raw().all(limit)
        : this.db
            .prepare(`SELECT ${COLS} FROM collector_runs WHERE collector_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`)
            .raw()
            .all(opts.collectorId, limit);
    return (rows as RunRow[]).map(toRun);
  }

  /** Per collector: its last run, last success and failure streak, from index seeks only. */
  summaries(): Map<string, RunSummary> {
    const out = new Map<string, RunSummary>();
    for (const id of this.collectors.all() as string[]) {
      const last = this.lastOf.get(id) as RunRow | undefined;
      if (!last) continue;
      const ok = this.lastOkOf.get(id) as RunRow | undefined;
      const consecutiveFailures = ok
        ? (this.failuresAfter.get(id, ok[2], ok[2], ok[0]) as number)
        : (this.countOf.get(id) as number);
      const summary: RunSummary = { last: toRun(last), consecutiveFailures };
      if (ok) summary.lastSuccess = toRun(ok);
      out.set(id, summary);
    }
    return out;
  }
}
