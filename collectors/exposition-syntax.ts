/**
 * The lexical rules of the Prometheus text format, apart from the parser's control
 * flow: metric types, which suffixes belong to a family, HELP escapes. (The character
 * classes stay in exposition.ts: module-local there, they inline in the hot loop.)
 */

export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  // OpenMetrics types, accepted so such a page parses; treated like gauges by callers.
  | 'unknown'
  | 'gaugehistogram'
  | 'stateset'
  | 'info';

export const METRIC_TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'gaugehistogram', 'stateset', 'info']);

export function seriesSuffix(type: MetricType, suffix: string): boolean {
  switch (type) {
    case 'histogram':
    case 'gaugehistogram':
      return suffix === '_bucket' || suffix === '_sum' || suffix === '_count' || suffix === '_created' || suffix === '_gcount' || suffix === '_gsum';
    case 'summary':
      return suffix === '_sum' || suffix === '_count' || suffix === '_created';
    case 'counter':
      return suffix === '_total' || suffix === '_created';
    case 'info':
      return suffix === '_info';
    default:
      return false;
  }
}

export function unescapeHelp(s: string): string {
  if (s.indexOf('\\') === -1) return s;
  return s.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}
