import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { WorkloadEvaluationSpec } from './engine.js';
import type { EvaluationSnapshot } from './snapshot.js';

/**
 * The only reader and writer of `evaluation_last` (migrations/0007): the latest snapshot, kept
 * so that a restart resumes it (Evaluator.setSpec) rather than starting from nothing.
 * A snapshot is plain JSON data (snapshot.ts); a non-finite number, which JSON cannot hold,
 * reads back as null, which every reader already treats as "unknown".
 */
export class LastEvaluationStore {
  private readonly upsert: Database.Statement;
  private readonly select: Database.Statement;
  private readonly selectAt: Database.Statement;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO evaluation_last (id, at, spec_key, snapshot) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET at = excluded.at, spec_key = excluded.spec_key, snapshot = excluded.snapshot`,
    );
    this.select = db.prepare('SELECT at, spec_key, snapshot FROM evaluation_last WHERE id = 1').raw();
    this.selectAt = db.prepare('SELECT at FROM evaluation_last WHERE id = 1').pluck();
  }

  save(snapshot: EvaluationSnapshot, specKey: string): void {
    this.upsert.run(Math.floor(snapshot.at), specKey, JSON.stringify(snapshot));
  }

  /** When the stored snapshot was evaluated (ms epoch), or null: without reading the snapshot. */
  lastAt(): number | null {
    return (this.selectAt.get() as number | undefined) ?? null;
  }

  /** The stored snapshot with the key of the spec it was evaluated with, or null. */
  load(): { snapshot: EvaluationSnapshot; specKey: string } | null {
    const row = this.select.get() as [number, string, string] | undefined;
    if (!row) return null;
    return { snapshot: JSON.parse(row[2]) as EvaluationSnapshot, specKey: row[1] };
  }
}

/**
 * The shape of a stored snapshot. Bump it whenever EvaluationSnapshot gains or changes a field,
 * so that a snapshot written by an older release is evaluated anew instead of resumed.
 */
export const SNAPSHOT_FORMAT = 2;

/** Identifies what a snapshot was evaluated from: equal keys, equal indicators, outcomes and settings, same snapshot format. */
export function specKey(spec: WorkloadEvaluationSpec): string {
  return createHash('sha256').update(`${SNAPSHOT_FORMAT}\n`).update(JSON.stringify(spec)).digest('hex');
}
