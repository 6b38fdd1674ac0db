import type { RangeResult, SeriesInfo } from '../store/types.js';

/**
 * The bodies of `/api/series` and `/api/series/query`, written as text straight from the
 * store's point arrays: the big query answers (100 series × 720 points and more) were half
 * building `[t, v]` arrays of objects for JSON.stringify. The text is exactly what
 * JSON.stringify gives for the documented shape (docs/api.md), which the tests compare.
 */

/** `{"series":[{"name":…,"labels":{…}}…],"truncated":…}` */
export function seriesListJson(series: readonly SeriesInfo[], truncated: boolean): string {
  let out = '{"series":[';
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    out += (i === 0 ? '{"name":' : ',{"name":') + JSON.stringify(s.name) + ',"labels":' + JSON.stringify(s.labels) + '}';
  }
  return out + '],"truncated":' + (truncated ? 'true' : 'false') + '}';
}

export interface QueryHead {
  from: number;
  to: number;
  step: number;
  aggregation: string;
}

/** The range query answer: times as RFC 3339 in the head, points as `[unixSeconds, value]`. */
export function seriesQueryJson(head: QueryHead, result: RangeResult): string {
  let out =
    '{"from":' + JSON.stringify(new Date(head.from).toISOString()) +
    ',"to":' + JSON.stringify(new Date(head.to).toISOString()) +
    ',"stepSeconds":' + JSON.stringify(head.step / 1000) +
    ',"aggregation":' + JSON.stringify(head.aggregation) +
    ',"source":' + JSON.stringify(result.source) +
    ',"series":[';
  const list = result.series;
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    out += (i === 0 ? '{"name":' : ',{"name":') + JSON.stringify(s.series.name) + ',"labels":' + JSON.stringify(s.series.labels) + ',"points":[';
    const points = s.points;
    for (let j = 0; j < points.length; j++) {
      const p = points[j]!;
      out += (j === 0 ? '[' : ',[') + String(p[0] / 1000) + ',' + jsonNumber(p[1]) + ']';
    }
    out += ']}';
  }
  return out + ']}';
}

/** JSON has no NaN or Infinity: they go as strings, as Prometheus's API sends them. */
function jsonNumber(v: number): string {
  if (Number.isFinite(v)) return String(v);
  if (Number.isNaN(v)) return '"NaN"';
  return v > 0 ? '"+Inf"' : '"-Inf"';
}
