import type { ZodType } from 'zod';
import type { CollectorResources } from './resources.js';

/**
 * The contract between a collector and the runner that drives it.
 *
 * A collector returns data and throws on failure; it never touches the database,
 * Express or the wall clock (it reads `ctx.now`). The runner owns timeouts (through
 * `ctx.signal`), retries with backoff, storing, and per-collector metrics.
 */

/** One numeric observation. `ts` is milliseconds since the Unix epoch (integer). */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  ts: number;
  value: number;
}

export const EVENT_KINDS = ['deployment', 'change', 'incident', 'gameday', 'review', 'action_item'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** An operational event (deployment, incident, game day, ...). Idempotent by (source, externalId). */
export interface OperationalEvent {
  kind: EventKind;
  source: string;
  externalId: string;
  service?: string;
  environment?: string;
  startedAt: number;
  endedAt?: number;
  status?: string;
  title?: string;
  attrs?: Record<string, unknown>;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface CollectContext {
  /** Aborted when the run times out or the server shuts down: stop work and reject promptly. */
  signal: AbortSignal;
  /** The run's reference time; use it as the timestamp of samples that carry none. */
  now: Date;
  log: Logger;
  /** The collector's id in the workload file, for messages. */
  collectorId: string;
  /**
   * Resources kept between runs (connection pools), closed by the runner when the collector
   * is removed or changed and at shutdown. Absent when nothing outlives the run (the contract
   * suite, a one-off call): a collector then opens what it needs and closes it before returning.
   */
  resources?: CollectorResources;
  /**
   * The reference time (`now`) of the collector's last successful run, as the runner recorded
   * it (it survives restarts); absent before the first success.
   */
  lastSuccess?: Date;
}

export interface CollectResult {
  samples: Sample[];
  events?: OperationalEvent[];
  /** Problems that did not fail the run (e.g. a malformed line skipped in a scrape). */
  warnings?: string[];
}

export interface CollectorDefinition<C = unknown> {
  /** Lowercase and unique: the `type:` in the workload file. */
  type: string;
  description: string;
  /**
   * Schema of the type-specific fields (everything except the common `id`, `type`,
   * `interval`, `timeout`, `jitter`, `labels`). Must reject unknown keys (strict),
   * so a typo is an error that names the field.
   */
  config: ZodType<C>;
  /** The default interval when the workload file gives none, e.g. "60s". */
  defaultInterval?: string;
  collect(config: C, ctx: CollectContext): Promise<CollectResult>;
  /**
   * Optional, for `pillarboard rules`: the PromQL expression that yields, inside Prometheus
   * itself, what this collector stores under the series name `seriesName` — or undefined when
   * the collector has no such equivalent. Only collectors that read from Prometheus have one.
   */
  promql?(config: C, seriesName: string): string | undefined;
  /**
   * Optional: the collector can fetch its own past, so a new collector (or a new part of
   * one) starts with history instead of a single point. Only collectors whose source keeps
   * history have it (a Prometheus does; a scrape target or a probe does not).
   */
  backfill?: BackfillCapability<C>;
}

/**
 * History on demand. The runner decides what range to fill (from the windows of the
 * indicators that read the part's series, bounded), tracks what was filled in the store, and
 * stores the chunks exactly as it stores live runs (same validation, same labels, including
 * `collector="<id>"`).
 */
export interface BackfillCapability<C> {
  /**
   * The parts of a config that are backfilled and tracked separately (e.g. one per query).
   * A part's `key` must change whenever what it returns would (the query, its labels, the
   * source URL), so an edited part counts as new and is filled again; `series` are the names
   * its samples carry. Empty when the config turns backfill off.
   */
  parts(config: C): BackfillPart[];
  /**
   * Yields the part's samples over `range`, oldest first, in chunks. Each chunk's `through`
   * promises that every sample of the part with ts <= through has been yielded, which is what
   * lets a backfill cut short resume after it. Honour `ctx.signal`; throw on failure.
   */
  fetch(config: C, part: string, range: BackfillRange, ctx: CollectContext): AsyncIterable<BackfillChunk>;
}

export interface BackfillPart {
  key: string;
  series: string[];
}

/** [from, to] in ms epoch, both inclusive; points at from + k·stepMs (from is a multiple of stepMs). */
export interface BackfillRange {
  from: number;
  to: number;
  stepMs: number;
  /** Bound on each request the collector makes for it (ms). */
  timeoutMs: number;
}

export interface BackfillChunk {
  samples: Sample[];
  /** Every sample with ts <= through has now been yielded (ms epoch). */
  through: number;
  warnings?: string[];
}

/** The fields every collector entry has, whatever its type. Durations in milliseconds. */
export interface CollectorCommon {
  id: string;
  type: string;
  intervalMs: number;
  timeoutMs: number;
  /** Fraction of the interval (0..1) by which each run is randomly offset. */
  jitter: number;
  /** Labels added to every sample this collector returns. */
  labels: Record<string, string>;
  /** What one run may return (as Prometheus's scrape limits); absent: no limits. */
  limits?: CollectorLimits;
}

/**
 * Per-run limits, as Prometheus's `sample_limit`, `label_limit` and `label_value_length_limit`:
 * a run over any of them fails and stores nothing. 0 means no limit.
 */
export interface CollectorLimits {
  /** Samples per run. */
  samples: number;
  /** Labels per sample, not counting the name (counting `collector` and configured labels). */
  labels: number;
  /** Characters in one label value. */
  labelValueLength: number;
}

/** The limits a run can exceed, named as in the workload file and in `/metrics`. */
export const LIMIT_NAMES = ['sample_limit', 'label_limit', 'label_value_length_limit', 'series_limit'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/**
 * Thrown when part of a run failed and the rest produced data (one of five Prometheus
 * queries rejected, one configured disk missing). The run counts as failed with
 * `message`; a runner that knows this class should still store `partial.samples` and
 * `partial.warnings`, because a broken sibling query must not blank the dashboards fed
 * by the healthy ones. A runner that does not know it fails the run and stores nothing,
 * which is the safe default: it is an ordinary Error.
 */
export class PartialCollectError extends Error {
  override readonly name = 'PartialCollectError';
  constructor(
    message: string,
    readonly partial: CollectResult,
  ) {
    super(message);
  }
}
