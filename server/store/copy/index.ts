import { createHash } from 'node:crypto';
import { isPostgresUrl } from '../pg/connection.js';
import { copyPlan, METRIC_TABLES, type TablePlan } from './plan.js';
import { PgCopyDestination, PgCopySource } from './pgSide.js';
import type { CopyDestination, CopySource, Row } from './side.js';
import { SqliteCopyDestination, SqliteCopySource } from './sqliteSide.js';

export interface CopyProgress {
  phase: 'copy' | 'verify';
  table: string;
  done: number;
  total: number;
}

export interface CopyOptions {
  from: string;
  to: string;
  env?: NodeJS.ProcessEnv;
  /** Series whose raw samples are compared after the copy (default 50; 0: none). */
  sampleSeries?: number;
  onProgress?: (p: CopyProgress) => void;
  /** The clock's reading (ms epoch): stamps the stores open with and the time the copy took. */
  now: () => number;
}

export interface TableReport {
  table: string;
  source: number;
  destination: number;
  /** How the rows were checked beyond their count. */
  check: 'rows' | 'count' | 'hours';
}

export interface CopyReport {
  from: string;
  to: string;
  tables: TableReport[];
  rows: number;
  /** Series whose raw samples were read back from both stores and compared. */
  seriesCompared: number;
  samplesCompared: number;
  ms: number;
}

/** The copy was made but does not read back as the source: what differs. */
export class CopyVerificationError extends Error {
  constructor(readonly problems: string[]) {
    super(`the copy does not match its source: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
    this.name = 'CopyVerificationError';
  }
}

async function openSource(setting: string, env: NodeJS.ProcessEnv, now: () => number): Promise<CopySource> {
  return isPostgresUrl(setting) ? PgCopySource.open(setting, now, env) : SqliteCopySource.open(setting, now);
}
async function openDestination(setting: string, env: NodeJS.ProcessEnv, now: () => number): Promise<CopyDestination> {
  return isPostgresUrl(setting) ? PgCopyDestination.open(setting, now, env) : SqliteCopyDestination.open(setting, now);
}

/** One cell as text that is equal on both engines for equal values (booleans are 0/1 in SQLite). */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '\u0000';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (Buffer.isBuffer(v)) return `x${v.toString('hex')}`;
  return JSON.stringify(v);
}

/** A digest of every row of a table in key order, and the row count. */
async function digest(rows: AsyncIterable<Row[]>, normalise?: (r: Row) => Row): Promise<{ hash: string; n: number }> {
  const h = createHash('sha256');
  let n = 0;
  for await (const batch of rows) {
    for (const r of batch) {
      h.update((normalise ? normalise(r) : r).map(cell).join('\u0001'));
      h.update('\u0002');
      n++;
    }
  }
  return { hash: h.digest('hex'), n };
}

function sameSamples(a: Array<[number, number]>, b: Array<[number, number]>): string | undefined {
  if (a.length !== b.length) return `${a.length} samples in the source, ${b.length} in the copy`;
  for (let i = 0; i < a.length; i++) {
    const [ta, va] = a[i]!;
    const [tb, vb] = b[i]!;
    if (ta !== tb || !(va === vb || (Number.isNaN(va) && Number.isNaN(vb)))) return `sample ${i}: (${ta}, ${va}) in the source, (${tb}, ${vb}) in the copy`;
  }
  return undefined;
}

/** Up to n ids spread evenly over the sorted list (first and last included). */
export function spread(ids: readonly number[], n: number): number[] {
  if (n <= 0 || ids.length === 0) return [];
  if (ids.length <= n) return [...ids];
  const out = new Set<number>();
  for (let i = 0; i < n; i++) out.add(ids[Math.round((i * (ids.length - 1)) / (n - 1 || 1))]!);
  return [...out];
}

/**
 * `pillarboard store copy`: every table from one store to another — SQLite file to PostgreSQL,
 * PostgreSQL to a new SQLite file, or between two of a kind — then verified: every table's row
 * count, every application table row by row (a digest of its rows in key order), and the raw
 * samples of sampled series read back through each store's own reads. Chunks and rollups move
 * as the bytes they are (one codec on both engines).
 *
 * The source is read in one snapshot (a running server may keep writing: the copy is the store
 * as it was when the copy began); the destination must be empty and is written in one
 * transaction, so a failed copy leaves nothing behind.
 */
export async function copyStore(opts: CopyOptions): Promise<CopyReport> {
  const started = opts.now();
  const env = opts.env ?? process.env;
  const progress = opts.onProgress ?? (() => undefined);
  const plans = copyPlan();
  const source = await openSource(opts.from, env, opts.now);
  let dest: CopyDestination | undefined;
  try {
    dest = await openDestination(opts.to, env, opts.now);
    const busy = await dest.nonEmpty(plans);
    if (busy.length > 0) {
      throw new Error(
        `${dest.label} already holds data (${busy.slice(0, 3).map((b) => `${b.table}: ${b.rows} rows`).join(', ')}); copy into an empty database or a new file`,
      );
    }
    const counts = new Map<string, number>();
    let rows = 0;
    try {
      for (const plan of plans) {
        if (plan.name === 'meta' || plan.name === 'rollup_dirty') continue;
        const total = await source.count(plan.name);
        counts.set(plan.name, total);
        let done = 0;
        progress({ phase: 'copy', table: plan.name, done, total });
        for await (const batch of source.rows(plan)) {
          await dest.insert(plan, batch);
          done += batch.length;
          progress({ phase: 'copy', table: plan.name, done, total });
        }
        rows += done;
      }
      await dest.markDirty(await source.dirtyHours());
      await dest.replaceMeta(await source.meta());
      await dest.commit();
    } catch (err) {
      await dest.abort();
      dest = undefined;
      throw err;
    }
    const tables = await verify(source, dest, plans, counts, opts.sampleSeries ?? 50, progress);
    const problems = tables.problems;
    if (problems.length > 0) throw new CopyVerificationError(problems);
    return {
      from: source.label,
      to: dest.label,
      tables: tables.reports,
      rows,
      seriesCompared: tables.series,
      samplesCompared: tables.samples,
      ms: opts.now() - started,
    };
  } finally {
    await dest?.close().catch(() => undefined);
    await source.close().catch(() => undefined);
  }
}

async function verify(
  source: CopySource,
  dest: CopyDestination,
  plans: readonly TablePlan[],
  counts: Map<string, number>,
  sampleSeries: number,
  progress: (p: CopyProgress) => void,
): Promise<{ reports: TableReport[]; problems: string[]; series: number; samples: number }> {
  const reports: TableReport[] = [];
  const problems: string[] = [];
  for (const plan of plans) {
    if (plan.name === 'rollup_dirty') {
      const [a, b] = [await source.dirtyHours(), await dest.dirtyHours()];
      reports.push({ table: plan.name, source: a.length, destination: b.length, check: 'hours' });
      if (a.join() !== b.join()) problems.push(`rollup_dirty: hours ${a.join(',') || 'none'} marked in the source, ${b.join(',') || 'none'} in the copy`);
      continue;
    }
    const expected = plan.name === 'meta' ? (await source.meta()).length : counts.get(plan.name)!;
    progress({ phase: 'verify', table: plan.name, done: 0, total: expected });
    if (METRIC_TABLES.has(plan.name)) {
      const n = await dest.count(plan.name);
      reports.push({ table: plan.name, source: expected, destination: n, check: 'count' });
      if (n !== expected) problems.push(`${plan.name}: ${expected} rows in the source, ${n} in the copy`);
      continue;
    }
    const [a, b] = [await digest(source.rows(plan)), await digest(dest.rows(plan))];
    reports.push({ table: plan.name, source: a.n, destination: b.n, check: 'rows' });
    if (a.n !== b.n) problems.push(`${plan.name}: ${a.n} rows in the source, ${b.n} in the copy`);
    else if (a.hash !== b.hash) problems.push(`${plan.name}: the rows differ`);
    progress({ phase: 'verify', table: plan.name, done: b.n, total: expected });
  }
  const ids = spread(await source.seriesIds(), sampleSeries);
  let samples = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    progress({ phase: 'verify', table: 'samples of sampled series', done: i, total: ids.length });
    const [a, b] = [await source.raw(id), await dest.raw(id)];
    const diff = sameSamples(a, b);
    if (diff) problems.push(`series ${id}: ${diff}`);
    samples += a.length;
  }
  progress({ phase: 'verify', table: 'samples of sampled series', done: ids.length, total: ids.length });
  return { reports, problems, series: ids.length, samples };
}
