import { createHash } from 'node:crypto';
import type { BackfillCapability, BackfillChunk, BackfillRange, CollectContext } from './types.js';
import { FetchError } from './fetch-text.js';
import { resolveTls } from './config-schemas.js';
import { decode, queryEntries, queryRangeEndpoint, requestApi, toSamples, type QueryEntry } from './prometheus-api.js';
import type { PrometheusConfig } from './prometheus.js';

/**
 * Backfill for `prometheus`: each query is a part, filled with `/api/v1/query_range` at the
 * step the runner asks for (the collector's interval), so every point is what an instant
 * query at that time would have stored.
 *
 * Request size is bounded twice: at most MAX_POINTS_PER_SERIES points per series per request
 * (Prometheus refuses more than 11,000), and about POINTS_PER_REQUEST points in all, so a
 * query returning many series asks for shorter spans. The first request is short
 * (FIRST_CHUNK_POINTS) because the number of series is not known yet; a response larger than
 * `max_body_bytes` is retried with a quarter of the span rather than failing.
 */

/** Below Prometheus's limit of 11,000 points per series in one query_range. */
export const MAX_POINTS_PER_SERIES = 10_000;
/** About 2.5 MB of JSON: well under the default max_body_bytes (10 MiB), and quick to parse. */
export const POINTS_PER_REQUEST = 100_000;
const FIRST_CHUNK_POINTS = 360;

/** A part's key: the query's name and a hash of everything that decides what it returns. */
export function partKey(url: string, entry: QueryEntry): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([url, entry.query, Object.entries(entry.labels ?? {}).sort()]))
    .digest('hex')
    .slice(0, 12);
  return `${entry.name}@${hash}`;
}

export const prometheusBackfill: BackfillCapability<PrometheusConfig> = {
  parts(config) {
    if (!config.backfill) return [];
    return queryEntries(config).map((e) => ({ key: partKey(config.url, e), series: [e.name] }));
  },
  fetch(config, part, range, ctx) {
    const entry = queryEntries(config).find((e) => partKey(config.url, e) === part);
    if (!entry) throw new Error(`collector ${ctx.collectorId}: no query is backfill part "${part}" any more`);
    return chunks(config, entry, range, ctx);
  },
};

/**
 * One request ahead: the next span is fetched while the caller stores the current one, so
 * Prometheus's work and Pillarboard's overlap. The request in flight is aborted when the
 * caller stops early.
 */
async function* chunks(config: PrometheusConfig, entry: QueryEntry, range: BackfillRange, ctx: CollectContext): AsyncGenerator<BackfillChunk> {
  const endpoint = queryRangeEndpoint(config.url);
  const tls = await resolveTls(config.tls);
  const step = range.stepMs;
  const local = new AbortController();
  const stopAll = AbortSignal.any([ctx.signal, local.signal]);

  type Answer = { start: number; end: number; tooLarge: true } | { start: number; end: number; tooLarge: false; chunk: BackfillChunk; series: number };
  const request = async (start: number, points: number): Promise<Answer> => {
    const end = Math.min(range.to, start + (points - 1) * step);
    const params = new URLSearchParams({
      query: entry.query,
      start: (start / 1000).toFixed(3),
      end: (end / 1000).toFixed(3),
      step: String(step / 1000),
    });
    const signal = AbortSignal.any([stopAll, AbortSignal.timeout(range.timeoutMs)]);
    let res: { contentType: string; text: string };
    try {
      res = await requestApi(endpoint, params, config, tls, signal);
    } catch (err) {
      if (err instanceof FetchError && err.kind === 'too_large' && points > 1) return { start, end, tooLarge: true };
      if (stopAll.aborted) throw err;
      if (signal.aborted) throw new Error(`${endpoint} did not answer query "${entry.name}" within ${range.timeoutMs} ms`, { cause: err });
      throw err;
    }
    const env = decode(endpoint, entry, res.contentType, res.text);
    const { samples, warnings } = toSamples(entry, env);
    const result = env.data?.result;
    const chunk: BackfillChunk = warnings.length > 0 ? { samples, through: end, warnings } : { samples, through: end };
    return { start, end, tooLarge: false, chunk, series: Array.isArray(result) ? result.length : 1 };
  };
  const launch = (start: number, points: number) => {
    const p = request(start, points);
    p.catch(() => {}); // awaited below; this only keeps a failure before then from counting as unhandled
    return p;
  };

  let points = FIRST_CHUNK_POINTS;
  let next: Promise<Answer> | null = range.from <= range.to ? launch(range.from, points) : null;
  try {
    while (next) {
      const answer = await next;
      ctx.signal.throwIfAborted();
      if (answer.tooLarge) {
        points = Math.max(1, Math.floor(points / 4));
        next = launch(answer.start, points);
        continue;
      }
      points = Math.max(1, Math.min(MAX_POINTS_PER_SERIES, Math.floor(POINTS_PER_REQUEST / Math.max(1, answer.series))));
      const start = answer.end + step;
      next = start <= range.to ? launch(start, points) : null;
      yield answer.chunk;
    }
  } finally {
    local.abort();
  }
}
