import type Database from 'better-sqlite3';
import type { Db } from '../store/db.js';

/** One planned range of one part of a collector, as stored in `backfills`. */
export interface BackfillRow {
  id: number;
  collectorId: string;
  part: string;
  from: number;
  to: number;
  stepMs: number;
  /** Every sample with ts <= doneTo is stored (from - 1 before the first chunk). */
  doneTo: number;
  samples: number;
  state: 'pending' | 'done' | 'failed';
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

type Row = [number, string, string, number, number, number, number, number, string, string | null, number, number];
const COLS = 'id, collector_id, part, from_ts, to_ts, step_ms, done_to, samples, state, error, created_at, updated_at';

const toRow = (r: Row): BackfillRow => ({
  id: r[0],
  collectorId: r[1],
  part: r[2],
  from: r[3],
  to: r[4],
  stepMs: r[5],
  doneTo: r[6],
  samples: r[7],
  state: r[8] as BackfillRow['state'],
  error: r[9],
  createdAt: r[10],
  updatedAt: r[11],
});

/**
 * The only module that reads or writes the `backfills` table (migrations/0008_backfill.sql).
 * `advance` is meant to run inside the transaction that writes the samples it covers.
 */
export class BackfillLog {
  private readonly byCollector: Database.Statement;
  private readonly all: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly advanceStmt: Database.Statement;
  private readonly setState: Database.Statement;
  private readonly doneToStmt: Database.Statement;

  constructor(
    db: Db,
    private readonly now: () => number,
  ) {
    this.byCollector = db.prepare(`SELECT ${COLS} FROM backfills WHERE collector_id = ? ORDER BY id`).raw();
    this.all = db.prepare(`SELECT ${COLS} FROM backfills ORDER BY id`).raw();
    this.insert = db.prepare(
      `INSERT INTO backfills (collector_id, part, from_ts, to_ts, step_ms, done_to, samples, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING ${COLS}`,
    ).raw();
    this.advanceStmt = db.prepare('UPDATE backfills SET done_to = ?, samples = samples + ?, updated_at = ? WHERE id = ? AND done_to < ?');
    this.doneToStmt = db.prepare('SELECT done_to FROM backfills WHERE id = ?').pluck();
    this.setState = db.prepare('UPDATE backfills SET state = ?, error = ?, updated_at = ? WHERE id = ?');
  }

  rows(collectorId?: string): BackfillRow[] {
    const rows = (collectorId === undefined ? this.all.all() : this.byCollector.all(collectorId)) as Row[];
    return rows.map(toRow);
  }

  /** Records a planned range; an empty one (to < from) is stored as done, so the part is no longer new. */
  plan(p: { collectorId: string; part: string; from: number; to: number; stepMs: number }): BackfillRow {
    const now = this.now();
    const state = p.to < p.from ? 'done' : 'pending';
    return toRow(this.insert.get(p.collectorId, p.part, p.from, p.to, p.stepMs, p.from - 1, state, now, now) as Row);
  }

  /** Moves done_to forward (never back) and counts the samples written with it. */
  advance(id: number, doneTo: number, samples: number): void {
    this.advanceStmt.run(doneTo, samples, this.now(), id, doneTo);
  }

  /** How far a range got (-Infinity for an unknown id). */
  doneTo(id: number): number {
    return (this.doneToStmt.get(id) as number | undefined) ?? Number.NEGATIVE_INFINITY;
  }

  finish(id: number): void {
    this.setState.run('done', null, this.now(), id);
  }

  fail(id: number, error: string): void {
    this.setState.run('failed', error, this.now(), id);
  }
}
