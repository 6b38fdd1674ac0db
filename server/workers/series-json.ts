import type { RangeResult, SeriesInfo } from '../store/types.js';

/**
 * The bodies of `/api/series` and `/api/series/query`, written straight from the store's
 * point arrays, without the view objects (one `{name, labels, points}` and one new `[t, v]`
 * per point) the routes used to build for res.json. The text is exactly what JSON.stringify
 * gives for the documented shape (docs/api.md), which the tests compare. It goes out in pieces
 * (PutText), so a thread writes them into the one BodyBuffer it reuses (body-buffer.ts) instead
 * of joining a new multi-megabyte string per answer.
 */

/** Receives a body's text piece by piece, in order (a BodyBuffer's put, or an array's push). */
export type PutText = (text: string) => void;

/** `{"series":[{"name":…,"labels":{…}}…],"truncated":…}` */
export function writeSeriesList(put: PutText, series: readonly SeriesInfo[], truncated: boolean): void {
  put('{"series":[');
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    put((i === 0 ? '{"name":' : ',{"name":') + JSON.stringify(s.name) + ',"labels":' + JSON.stringify(s.labels) + '}');
  }
  put('],"truncated":' + (truncated ? 'true' : 'false') + '}');
}

export function seriesListJson(series: readonly SeriesInfo[], truncated: boolean): string {
  const parts: string[] = [];
  writeSeriesList((t) => parts.push(t), series, truncated);
  return parts.join('');
}

export interface QueryHead {
  from: number;
  to: number;
  step: number;
  aggregation: string;
}

/**
 * The range query answer: times as RFC 3339 in the head, points as `[unixSeconds, value]`.
 * Consumes `result`: each point array is rewritten in place (seconds, non-finite values as
 * strings) and handed to JSON.stringify whole, which is the fastest way V8 offers to print
 * numbers (measured against concatenating the text and against mapping to new arrays:
 * bench/loop.bench.ts). The store builds a new result per query, so nobody else sees it.
 */
export function writeSeriesQuery(put: PutText, head: QueryHead, result: RangeResult): void {
  put(
    '{"from":' + JSON.stringify(new Date(head.from).toISOString()) +
      ',"to":' + JSON.stringify(new Date(head.to).toISOString()) +
      ',"stepSeconds":' + JSON.stringify(head.step / 1000) +
      ',"aggregation":' + JSON.stringify(head.aggregation) +
      ',"source":' + JSON.stringify(result.source) +
      ',"series":[',
  );
  const list = result.series;
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    const points = s.points as Array<[number, number | string]>;
    for (let j = 0; j < points.length; j++) {
      const p = points[j]!;
      p[0] = p[0] / 1000;
      const v = p[1] as number;
      if (!Number.isFinite(v)) p[1] = jsonNumber(v);
    }
    // Three pieces, so the points' text is copied once, not first joined with its head.
    put((i === 0 ? '{"name":' : ',{"name":') + JSON.stringify(s.series.name) + ',"labels":' + JSON.stringify(s.series.labels) + ',"points":');
    put(JSON.stringify(points));
    put('}');
  }
  put(']}');
}

/** writeSeriesQuery as one string (benches compare the ways of building it). */
export function seriesQueryJson(head: QueryHead, result: RangeResult): string {
  const parts: string[] = [];
  writeSeriesQuery((t) => parts.push(t), head, result);
  return parts.join('');
}

/** JSON has no NaN or Infinity: they go as strings, as Prometheus's API sends them. */
function jsonNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}
