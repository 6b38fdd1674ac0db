import type { TablePlan } from './plan.js';

/** A row as the copy carries it: the plan's columns in order. Staleness markers are NaN. */
export type Row = unknown[];

/** Rows per batch read from a source and written to a destination. */
export const COPY_BATCH_ROWS = 5_000;

/** The store a copy reads: one consistent snapshot, held from open() until close(). */
export interface CopySource {
  readonly label: string;
  count(table: string): Promise<number>;
  /** Every row of a table, in key order, in batches. */
  rows(plan: TablePlan): AsyncIterable<Row[]>;
  /** Hours (index: ts / 1 h) whose rollups are marked out of date. */
  dirtyHours(): Promise<number[]>;
  meta(): Promise<Array<[string, string]>>;
  /** Raw samples of one series as the store reads them back (chunks and head), oldest first. */
  raw(seriesId: number): Promise<Array<[number, number]>>;
  /** The series ids, ascending. */
  seriesIds(): Promise<number[]>;
  close(): Promise<void>;
}

/** The store a copy writes: one transaction from open until commit(); empty when it starts. */
export interface CopyDestination {
  readonly label: string;
  /** Table names holding rows already (meta aside): a copy only goes into an empty store. */
  nonEmpty(plans: readonly TablePlan[]): Promise<Array<{ table: string; rows: number }>>;
  insert(plan: TablePlan, rows: readonly Row[]): Promise<void>;
  markDirty(hours: readonly number[]): Promise<void>;
  replaceMeta(rows: ReadonlyArray<[string, string]>): Promise<void>;
  /** Commits (after setting id sequences past the copied ids). */
  commit(): Promise<void>;
  /** Rolls back and releases; nothing of the copy stays. */
  abort(): Promise<void>;
  /** After commit: read back, as the store does. */
  count(table: string): Promise<number>;
  rows(plan: TablePlan): AsyncIterable<Row[]>;
  dirtyHours(): Promise<number[]>;
  raw(seriesId: number): Promise<Array<[number, number]>>;
  close(): Promise<void>;
}

/** Smallest and largest timestamps a raw read of "everything" uses. */
export const ALL_TIME = { from: -Number.MAX_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER } as const;
