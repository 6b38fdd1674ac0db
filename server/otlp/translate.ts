import type { Sample } from '../../collectors/types.js';
import type { DeltaStage, HistogramState, SumState } from './delta.js';
import { attributeLabels, int64, resourceLabels } from './labels.js';
import { formatFloat, metricName, type NamingType } from './naming.js';
import { skipsResourceAttribute, type OtlpSettings } from './settings.js';
import {
  FLAG_NO_RECORDED_VALUE, TEMPORALITY_CUMULATIVE, TEMPORALITY_DELTA,
  type ExportRequest, type HistogramDataPoint, type Int64, type Metric, type NumberDataPoint, type SummaryDataPoint,
} from './types.js';

/** Prometheus's staleness marker: the NaN with payload 2, written for a point flagged "no recorded value". */
export const STALE_NAN = new DataView(new Uint8Array([0x7f, 0xf0, 0, 0, 0, 0, 0, 2]).buffer).getFloat64(0);

/** What one point may carry, as the collectors' label_limit and label_value_length_limit (0: no limit). */
export interface PointLimits {
  labels: number;
  labelValueLength: number;
  /** A point stamped later than now plus this is refused. */
  futureMs: number;
}

export interface TranslateContext {
  nowMs: number;
  delta: DeltaStage;
  limits: PointLimits;
  settings: OtlpSettings;
}

/** Data points refused, and why (each distinct reason with how many points it refused). */
export class Refusals {
  count = 0;
  readonly reasons = new Map<string, number>();

  add(reason: string, points = 1): void {
    if (points <= 0) return;
    this.count += points;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + points);
  }

  /** One line for partial_success.error_message: the first few reasons, with counts. */
  message(maxReasons = 5): string {
    const parts = [...this.reasons].slice(0, maxReasons).map(([r, n]) => `${r} (${n} point${n === 1 ? '' : 's'})`);
    const more = this.reasons.size - maxReasons;
    return `${this.count} data point${this.count === 1 ? '' : 's'} refused: ${parts.join('; ')}${more > 0 ? `; and ${more} more reason${more === 1 ? '' : 's'}` : ''}`;
  }
}

export interface Translation {
  samples: Sample[];
  /** For each sample, the index of the data point it came from (counting every point of the request from 0). */
  pointOf: number[];
  /** The delta series key of a point, for the points of delta metrics. */
  deltaKeyOf: Map<number, string>;
  /** Data points in the request, refused ones included. */
  points: number;
  refused: Refusals;
}

/**
 * An OTLP export request as Pillarboard samples, named as Prometheus's OTLP receiver names them
 * (naming.ts, labels.ts): sums → counters (`_total`, monotonic) or gauges, gauges → gauges,
 * explicit-bucket histograms → `_bucket{le}` (cumulative), `_sum`, `_count`; summaries →
 * `{quantile}`, `_sum`, `_count`. Delta sums and histograms are accumulated into cumulative ones
 * (delta.ts). A point that cannot be stored is refused with a reason and the others are kept:
 * exponential histograms, unspecified temporality, a missing value, too many or too long labels.
 */
export function translate(req: ExportRequest, ctx: TranslateContext): Translation {
  const t = new Translator(ctx);
  const skip = skipsResourceAttribute(ctx.settings);
  for (const rm of req.resourceMetrics ?? []) {
    const res = resourceLabels(rm.resource?.attributes, skip);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) t.metric(metric, res);
    }
  }
  return { samples: t.samples, pointOf: t.pointOf, deltaKeyOf: t.deltaKeyOf, points: t.point, refused: t.refused };
}

type Resource = ReturnType<typeof resourceLabels>;

class Translator {
  readonly samples: Sample[] = [];
  readonly pointOf: number[] = [];
  readonly deltaKeyOf = new Map<number, string>();
  readonly refused = new Refusals();
  /** Index of the point being translated. */
  point = 0;

  constructor(private readonly ctx: TranslateContext) {}

  metric(m: Metric, res: Resource): void {
    const otelName = m.name ?? '';
    const unit = m.unit ?? '';
    switch (m.data) {
      case 'gauge':
        return this.numbers(m.gauge?.dataPoints, metricName(otelName, unit, 'gauge'), otelName, res, 'gauge');
      case 'sum': {
        const sum = m.sum!;
        const type: NamingType = sum.isMonotonic ? 'counter' : 'sum';
        const points = sum.dataPoints;
        if (!this.knownTemporality(sum.aggregationTemporality, otelName, points?.length ?? 0)) return;
        return this.numbers(points, metricName(otelName, unit, type), otelName, res, sum.aggregationTemporality === TEMPORALITY_DELTA ? 'delta' : 'cumulative');
      }
      case 'histogram': {
        const h = m.histogram!;
        const points = h.dataPoints ?? [];
        if (!this.knownTemporality(h.aggregationTemporality, otelName, points.length)) return;
        const name = this.named(metricName(otelName, unit, 'histogram'), otelName, points.length);
        if (name === undefined) return;
        for (const p of points) this.histogram(p, name, res, h.aggregationTemporality === TEMPORALITY_DELTA);
        return;
      }
      case 'summary': {
        const points = m.summary?.dataPoints ?? [];
        const name = this.named(metricName(otelName, unit, 'summary'), otelName, points.length);
        if (name === undefined) return;
        for (const p of points) this.summary(p, name, res);
        return;
      }
      case 'exponentialHistogram': {
        const n = m.exponentialHistogram?.dataPoints?.length ?? 0;
        this.skip(n, `exponential histogram "${otelName}" is not supported: configure the SDK to aggregate it as an explicit-bucket histogram`);
        return;
      }
      default:
        return; // a metric with no data: nothing to store
    }
  }

  private skip(points: number, reason: string): void {
    this.refused.add(reason, points);
    this.point += points;
  }

  private knownTemporality(temporality: number | undefined, otelName: string, points: number): boolean {
    if (temporality === TEMPORALITY_CUMULATIVE) return true;
    if (temporality === TEMPORALITY_DELTA) {
      if (this.ctx.settings.deltaTemporality === 'convert') return true;
      this.skip(points, `metric "${otelName}": delta temporality is refused (otlp.delta_temporality: refuse); configure the exporter for cumulative temporality`);
      return false;
    }
    this.skip(points, `metric "${otelName}": aggregation_temporality is unspecified; send cumulative (2) or delta (1)`);
    return false;
  }

  private named(name: string, otelName: string, points: number): string | undefined {
    if (name !== '') return name;
    this.skip(points, `metric name ${JSON.stringify(otelName)} leaves no Prometheus name`);
    return undefined;
  }

  /** The point's labels, or undefined (and the point refused) when they break a limit. */
  private labels(attrs: NumberDataPoint['attributes'], res: Resource, metric: string): Record<string, string> | undefined {
    const labels: Record<string, string> = {};
    for (const k in res.labels) labels[k] = res.labels[k]!;
    attributeLabels(attrs, labels);
    if (res.job !== undefined) labels.job = res.job;
    if (res.instance !== undefined) labels.instance = res.instance;
    const { labels: maxLabels, labelValueLength } = this.ctx.limits;
    let n = 0;
    for (const k in labels) {
      n++;
      if (labelValueLength > 0 && labels[k]!.length > labelValueLength) {
        this.refused.add(`${metric}: label ${k} is ${labels[k]!.length} characters long, the limit (label_value_length_limit) is ${labelValueLength}`);
        return undefined;
      }
    }
    if (maxLabels > 0 && n > maxLabels) {
      this.refused.add(`${metric}: ${n} labels, the limit (label_limit) is ${maxLabels}`);
      return undefined;
    }
    return labels;
  }

  /** The point's time in ms (now when it has none), or undefined (and the point refused) when it is too far ahead. */
  private time(v: Int64 | undefined, metric: string): number | undefined {
    const ns = int64(v);
    if (ns === 0) return this.ctx.nowMs;
    const ms = Math.floor(ns / 1e6);
    if (ms > this.ctx.nowMs + this.ctx.limits.futureMs) {
      this.refused.add(`${metric}: time_unix_nano ${new Date(ms).toISOString()} is more than ${this.ctx.limits.futureMs / 60_000} minutes ahead of the server's clock`);
      return undefined;
    }
    return ms;
  }

  private emit(name: string, labels: Record<string, string>, ts: number, value: number): void {
    this.samples.push({ name, labels, ts, value });
    this.pointOf.push(this.point);
  }

  private numbers(points: NumberDataPoint[] | null | undefined, name: string, otelName: string, res: Resource, kind: 'gauge' | 'cumulative' | 'delta'): void {
    if (!points || points.length === 0) return;
    if (this.named(name, otelName, points.length) === undefined) return;
    for (const p of points) {
      this.number(p, name, res, kind);
      this.point++;
    }
  }

  private number(p: NumberDataPoint, name: string, res: Resource, kind: 'gauge' | 'cumulative' | 'delta'): void {
    const stale = ((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
    let value: number;
    if (p.value === 'asInt') value = int64(p.asInt);
    else if (p.value === 'asDouble') value = p.asDouble ?? 0;
    else if (stale) value = STALE_NAN;
    else return this.refused.add(`${name}: a data point has neither as_double nor as_int`);
    const labels = this.labels(p.attributes, res, name);
    if (!labels) return;
    const ts = this.time(p.timeUnixNano, name);
    if (ts === undefined) return;
    if (stale) return this.emit(name, labels, ts, STALE_NAN);
    if (kind === 'delta') {
      const key = seriesKey(name, labels);
      const prev = this.ctx.delta.get(key) as SumState | undefined;
      if (!this.deltaAccepted(key, prev, ts, name)) return;
      const total = (prev?.kind === 'sum' ? prev.total : 0) + value;
      this.ctx.delta.set(key, { kind: 'sum', total, endMs: ts });
      this.deltaKeyOf.set(this.point, key);
      value = total;
    }
    this.emit(name, labels, ts, value);
  }

  private deltaAccepted(key: string, prev: { endMs: number } | undefined, ts: number, name: string): boolean {
    if (prev && ts <= prev.endMs) {
      this.refused.add(`${name}: a delta point ends at ${new Date(ts).toISOString()}, not after the last one stored for its series (${new Date(prev.endMs).toISOString()}); a retried export is not counted twice`);
      return false;
    }
    if (!this.ctx.delta.roomFor(key)) {
      this.refused.add(`${name}: delta temporality is converted for at most ${this.ctx.delta.maxSeries} series; send cumulative temporality`);
      return false;
    }
    return true;
  }

  private histogram(p: HistogramDataPoint, name: string, res: Resource, delta: boolean): void {
    try {
      const bounds = p.explicitBounds ?? [];
      let counts = (p.bucketCounts ?? []).map(int64);
      if (counts.length !== 0 && counts.length !== bounds.length + 1) {
        return this.refused.add(`${name}: bucket_counts has ${counts.length} entries for ${bounds.length} explicit_bounds; expected ${bounds.length + 1}`);
      }
      const labels = this.labels(p.attributes, res, name);
      if (!labels) return;
      const ts = this.time(p.timeUnixNano, name);
      if (ts === undefined) return;
      const stale = ((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
      const hasSum = p.sum !== undefined && p.sum !== null;
      let count = int64(p.count);
      let sum = hasSum ? p.sum! : 0;
      if (delta && !stale) {
        const key = seriesKey(name, labels);
        const prev = this.ctx.delta.get(key) as HistogramState | undefined;
        if (!this.deltaAccepted(key, prev, ts, name)) return;
        if (prev?.kind === 'histogram' && sameBounds(prev.bounds, bounds) && prev.buckets.length === counts.length) {
          count += prev.count;
          sum += prev.sum;
          counts = counts.map((c, i) => c + prev.buckets[i]!);
        }
        this.ctx.delta.set(key, { kind: 'histogram', count, sum, buckets: counts, bounds: [...bounds], endMs: ts });
        this.deltaKeyOf.set(this.point, key);
      }
      let cumulative = 0;
      for (let i = 0; i < bounds.length && counts.length > 0; i++) {
        cumulative += counts[i]!;
        this.emit(`${name}_bucket`, { ...labels, le: formatFloat(bounds[i]!) }, ts, stale ? STALE_NAN : cumulative);
      }
      if (counts.length > 0) this.emit(`${name}_bucket`, { ...labels, le: '+Inf' }, ts, stale ? STALE_NAN : count);
      if (hasSum || stale) this.emit(`${name}_sum`, labels, ts, stale ? STALE_NAN : sum);
      this.emit(`${name}_count`, labels, ts, stale ? STALE_NAN : count);
    } finally {
      this.point++;
    }
  }

  private summary(p: SummaryDataPoint, name: string, res: Resource): void {
    try {
      const labels = this.labels(p.attributes, res, name);
      if (!labels) return;
      const ts = this.time(p.timeUnixNano, name);
      if (ts === undefined) return;
      const stale = ((p.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
      for (const q of p.quantileValues ?? []) {
        this.emit(name, { ...labels, quantile: formatFloat(q.quantile ?? 0) }, ts, stale ? STALE_NAN : (q.value ?? 0));
      }
      this.emit(`${name}_sum`, labels, ts, stale ? STALE_NAN : (p.sum ?? 0));
      this.emit(`${name}_count`, labels, ts, stale ? STALE_NAN : int64(p.count));
    } finally {
      this.point++;
    }
  }
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A series' identity for delta totals: name and labels, sorted. */
function seriesKey(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  let k = name;
  for (const key of keys) k += `\u0000${key}\u0001${labels[key]}`;
  return k;
}
