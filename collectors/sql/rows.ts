import type { Sample } from '../types.js';
import type { SqlQuery } from './config.js';

/**
 * Rows to samples, apart from any database: one sample per row, named after the query, the
 * value from `value_column`, a label per `label_columns` entry plus the constant `labels`.
 *
 * Values: numbers, numeric strings (PostgreSQL's bigint and numeric arrive as text), bigints,
 * booleans (1/0), timestamps (Unix seconds, as Prometheus writes times) and PostgreSQL
 * intervals (seconds). A NULL value skips
 * the row with a warning (an empty group); anything else fails the query. Label values: text
 * as is, numbers and booleans as written, timestamps as ISO 8601, NULL as "" (no label).
 */

/** A problem with one query's result, worded for the user; the caller adds collector and query. */
export class ResultError extends Error {
  override readonly name = 'ResultError';
}

/** A result as the drivers return it: column names, and each row's values in column order. */
export interface QueryRows {
  columns: string[];
  rows: unknown[][];
}

export function rowsToSamples(query: SqlQuery, result: QueryRows, ts: number): { samples: Sample[]; warnings: string[] } {
  const missing = [query.value_column, ...query.label_columns].filter((c) => !result.columns.includes(c));
  if (missing.length > 0) {
    const which = missing.map((c) => `"${c}"`).join(', ');
    throw new ResultError(
      `the result has no column ${which} (its columns: ${result.columns.map((c) => `"${c}"`).join(', ') || 'none'}); alias it in the SQL or fix value_column/label_columns`,
    );
  }
  const twice = [query.value_column, ...query.label_columns].filter((c) => result.columns.indexOf(c) !== result.columns.lastIndexOf(c));
  if (twice.length > 0) {
    throw new ResultError(`the result has more than one column named "${twice[0]}"; alias them apart in the SQL`);
  }
  const samples: Sample[] = [];
  const warnings: string[] = [];
  let nulls = 0;
  const seen = new Map<string, number>();
  const valueAt = result.columns.indexOf(query.value_column);
  const labelAt = query.label_columns.map((c) => result.columns.indexOf(c));
  const constant = query.labels ?? {};
  result.rows.forEach((row, i) => {
    const labels: Record<string, string> = { ...constant };
    let key = '';
    for (let j = 0; j < labelAt.length; j++) {
      const text = labelText(row[labelAt[j]!]);
      if (text !== '') labels[query.label_columns[j]!] = text;
      key += text + '\u0000';
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new ResultError(`rows ${earlier + 1} and ${i + 1} have the same labels ${describe(labels)}; GROUP BY the label columns so each row is one series`);
    }
    seen.set(key, i);
    const raw = row[valueAt];
    if (raw === null || raw === undefined) {
      // A few examples are enough: one warning per NULL row could flood the run's record.
      if (++nulls <= MAX_NULL_WARNINGS) {
        warnings.push(`row ${i + 1}${query.label_columns.length ? ' ' + describe(labels) : ''}: ${query.value_column} is NULL; row skipped`);
      }
      return;
    }
    const value = toNumber(raw);
    if (value === undefined) {
      throw new ResultError(`row ${i + 1}: ${query.value_column} is ${describeValue(raw)}, not a number`);
    }
    samples.push({ name: query.name, labels, ts, value });
  });
  if (nulls > MAX_NULL_WARNINGS) warnings.push(`${nulls - MAX_NULL_WARNINGS} more rows with ${query.value_column} NULL skipped`);
  return { samples, warnings };
}

const MAX_NULL_WARNINGS = 3;

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime() / 1000;
  if (isInterval(v)) return intervalSeconds(v);
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
    if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    if (/^nan$/i.test(t)) return NaN;
  }
  return undefined;
}

/** A PostgreSQL interval as `pg` returns it (postgres-interval: only the non-zero fields are set). */
interface Interval {
  years?: number;
  months?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
  toPostgres(): string;
}

function isInterval(v: unknown): v is Interval {
  return typeof v === 'object' && v !== null && typeof (v as Interval).toPostgres === 'function' && typeof (v as { toISO?: unknown }).toISO === 'function';
}

/** Seconds, as PostgreSQL's extract(epoch from interval) counts them: 30-day months, 365.25-day years. */
function intervalSeconds(i: Interval): number {
  const days = (i.years ?? 0) * 365.25 + (i.months ?? 0) * 30 + (i.days ?? 0);
  return days * 86_400 + (i.hours ?? 0) * 3600 + (i.minutes ?? 0) * 60 + (i.seconds ?? 0) + (i.milliseconds ?? 0) / 1000;
}

function labelText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return JSON.stringify(v);
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Buffer.isBuffer(v)) return `binary (${v.length} bytes)`;
  return typeof v === 'object' ? 'an object' : String(v);
}

function describe(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}
