import type { Logger, Sample } from '../../collectors/types.js';
import type { Clock } from '../clock.js';
import { SeriesLimitError } from '../store/index.js';
import { DeltaTotals } from './delta.js';
import { Refusals, translate, type PointLimits } from './translate.js';
import type { ExportRequest } from './types.js';
import { DEFAULT_OTLP_SETTINGS, type OtlpSettings } from './settings.js';

/** A request that would create more new series than `newSeriesPerRequest`; nothing of it was written. */
export class NewSeriesLimitError extends Error {
  constructor(
    readonly limit: number,
    readonly created: number,
  ) {
    super(`the request would create ${created} new series, the limit per request is ${limit}`);
    this.name = 'NewSeriesLimitError';
  }
}

/** What the receiver needs of the metric store. */
export interface OtlpSampleStore {
  /**
   * Writes the samples in one transaction, or nothing: rejects with SeriesLimitError when the
   * store would hold more than `seriesLimit` series (> 0), NewSeriesLimitError when the samples
   * would create more than `newSeries` series.
   */
  write(samples: readonly Sample[], limits: { seriesLimit: number; newSeries: number }): Promise<void>;
  /** For each sample, whether the store holds its series already. */
  existing(samples: readonly Sample[]): Promise<boolean[]>;
}

export interface OtlpLimits extends PointLimits {
  /** Data points in one request; more is refused whole (413). */
  points: number;
  /** New series one request may create; the points of further new series are refused. */
  newSeries: number;
  /** Delta series whose running totals are kept. */
  deltaSeries: number;
}

/** The collectors' defaults for label_limit and label_value_length_limit, sample_limit as the new-series cap. */
export const DEFAULT_OTLP_LIMITS: OtlpLimits = {
  points: 100_000,
  newSeries: 50_000,
  deltaSeries: 100_000,
  labels: 64,
  labelValueLength: 2_048,
  futureMs: 3_600_000,
};

export interface IngestResult {
  /** Data points in the request. */
  points: number;
  /** Samples written (a histogram point is several). */
  samples: number;
  refused: Refusals;
}

/** Thrown for a request over `limits.points`; nothing was stored. */
export class TooManyPointsError extends Error {
  constructor(
    readonly points: number,
    readonly limit: number,
  ) {
    super(`the request carries ${points} data points, the limit is ${limit}; export smaller batches`);
    this.name = 'TooManyPointsError';
  }
}

/** What the receiver has done since the server started (for /metrics). */
export interface OtlpStats {
  pointsStored: number;
  pointsRefused: number;
  samplesWritten: number;
  deltaSeries: number;
}

export interface OtlpReceiverOptions {
  store: OtlpSampleStore;
  clock: Clock;
  /** The workload's storage.series_limit now (0: none). */
  seriesLimit: () => number;
  log: Logger;
  limits?: Partial<OtlpLimits>;
  /** The workload's `otlp:` settings now (default: DEFAULT_OTLP_SETTINGS). */
  settings?: () => OtlpSettings;
}

/**
 * OTLP metrics in: a decoded export request translated (translate.ts) and written to the store.
 * Requests are handled one at a time, so delta totals are read and kept in order. When the
 * store's series_limit or the per-request new-series cap refuses the write, the points of
 * series the store already holds are written still and only those of new series are refused:
 * a full store does not stop the series it has from being updated.
 */
export class OtlpReceiver {
  readonly limits: OtlpLimits;
  private readonly delta: DeltaTotals;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: OtlpReceiverOptions) {
    this.limits = { ...DEFAULT_OTLP_LIMITS, ...opts.limits };
    this.delta = new DeltaTotals(this.limits.deltaSeries);
  }

  private readonly counts = { pointsStored: 0, pointsRefused: 0, samplesWritten: 0 };

  get stats(): OtlpStats {
    return { ...this.counts, deltaSeries: this.delta.size };
  }

  ingest(req: ExportRequest): Promise<IngestResult> {
    const points = countPoints(req);
    if (points > this.limits.points) return Promise.reject(new TooManyPointsError(points, this.limits.points));
    const run = this.queue.then(() => this.ingestNow(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async ingestNow(req: ExportRequest): Promise<IngestResult> {
    const stage = this.delta.stage();
    const settings = this.opts.settings?.() ?? DEFAULT_OTLP_SETTINGS;
    const t = translate(req, { nowMs: this.opts.clock.now(), delta: stage, limits: this.limits, settings });
    const limits = { seriesLimit: this.opts.seriesLimit(), newSeries: this.limits.newSeries };
    let samples = t.samples;
    try {
      if (samples.length > 0) await this.opts.store.write(samples, limits);
      stage.commit();
    } catch (err) {
      if (!(err instanceof SeriesLimitError || err instanceof NewSeriesLimitError)) throw err;
      const exists = await this.opts.store.existing(samples);
      const room = Math.min(
        limits.newSeries > 0 ? limits.newSeries : Number.POSITIVE_INFINITY,
        err instanceof SeriesLimitError ? Math.max(0, err.limit - err.existing) : Number.POSITIVE_INFINITY,
      );
      let dropped = pointsBeyond(samples, t.pointOf, exists, room);
      let kept = samples.filter((_, i) => !dropped.has(t.pointOf[i]!));
      try {
        if (kept.length > 0) await this.opts.store.write(kept, limits);
      } catch (again) {
        if (!(again instanceof SeriesLimitError || again instanceof NewSeriesLimitError)) throw again;
        // Another writer took the room meanwhile: keep only the series the store holds.
        dropped = pointsBeyond(samples, t.pointOf, exists, 0);
        kept = samples.filter((_, i) => !dropped.has(t.pointOf[i]!));
        if (kept.length > 0) await this.opts.store.write(kept, limits);
      }
      samples = kept;
      const why =
        err instanceof SeriesLimitError
          ? `storage.series_limit reached: the store holds ${err.existing} series, the limit is ${err.limit}; points of series beyond it are refused`
          : `${err.message}; points of the series beyond the first ${err.limit} are refused`;
      t.refused.add(why, dropped.size);
      this.opts.log.warn('otlp points of new series refused', { reason: why, points: dropped.size });
      const droppedKeys = new Set([...dropped].map((p) => t.deltaKeyOf.get(p)).filter((k) => k !== undefined));
      stage.commit((key) => !droppedKeys.has(key));
    }
    this.counts.pointsStored += t.points - t.refused.count;
    this.counts.pointsRefused += t.refused.count;
    this.counts.samplesWritten += samples.length;
    return { points: t.points, samples: samples.length, refused: t.refused };
  }
}

/**
 * The points to refuse so that at most `room` new series are created: points are admitted in
 * request order while the new series they bring fit, a point whole or not at all (a histogram
 * point is several series).
 */
function pointsBeyond(samples: readonly Sample[], pointOf: readonly number[], exists: readonly boolean[], room: number): Set<number> {
  const newOfPoint = new Map<number, Set<string>>();
  samples.forEach((s, i) => {
    if (exists[i]) return;
    const p = pointOf[i]!;
    let keys = newOfPoint.get(p);
    if (!keys) newOfPoint.set(p, (keys = new Set()));
    keys.add(seriesKeyOf(s));
  });
  const admitted = new Set<string>();
  const dropped = new Set<number>();
  for (const [point, keys] of newOfPoint) {
    const extra = [...keys].filter((k) => !admitted.has(k));
    if (extra.length <= room) {
      for (const k of extra) admitted.add(k);
      room -= extra.length;
    } else {
      dropped.add(point);
    }
  }
  return dropped;
}

/** A sample's series as the store tells series apart: name and non-empty labels. */
export function seriesKeyOf(s: Sample): string {
  const entries = Object.entries(s.labels).filter(([, v]) => v !== '');
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${s.name}\u0000${JSON.stringify(entries)}`;
}

/** Data points in a request, whatever their type (the cap is checked before any work). */
export function countPoints(req: ExportRequest): number {
  let n = 0;
  for (const rm of req.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const data = m.data ? (m[m.data] as { dataPoints?: unknown[] | null } | null | undefined) : undefined;
        n += data?.dataPoints?.length ?? 0;
      }
    }
  }
  return n;
}
