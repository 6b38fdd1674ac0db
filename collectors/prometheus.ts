import { z } from 'zod';
import { PartialCollectError, type CollectorDefinition, type Sample } from './types.js';
import { mapLimit } from './map-limit.js';
import { decode, queryEndpoint, queryEntries, QueryError, requestApi, toSamples } from './prometheus-api.js';
import { prometheusBackfill } from './prometheus-backfill.js';
import { authSchema, byShape, byteSize, headersSchema, httpUrl, resolveTls, tlsSchema } from './config-schemas.js';

/**
 * `prometheus`: runs instant queries against a Prometheus-compatible API (Prometheus,
 * Thanos, Mimir, VictoriaMetrics) at `ctx.now` and stores each result series under the
 * query's name.
 *
 * - The result's `__name__` label is dropped: the series is named after the query. A
 *   query whose series differ only in `__name__` is an error for that query (aggregate
 *   it, or use label_replace to keep the name as an ordinary label).
 * - vector and scalar give one sample per series; matrix gives every point with its own
 *   timestamp; a string result is an error for that query.
 * - Failure contract: a transport failure (down, timeout, TLS, auth, HTML proxy, wrong
 *   URL) fails the whole run with one message. A query Prometheus rejects, or whose
 *   answer cannot be used, fails only itself: if other queries succeeded, the run throws
 *   `PartialCollectError` carrying their samples; its message names every failed query.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CONCURRENCY = 4;

const queryName = z.string().regex(METRIC_NAME, { error: 'is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)' });
const queryEntry = z.strictObject({
  name: queryName,
  query: z.string().trim().min(1),
  /** Added to every series of this query; they win over labels of the same name in the result. */
  labels: z.record(z.string().regex(LABEL_NAME, { error: 'is not a valid label name' }), z.string()).optional(),
});

const queriesSchema = byShape(
  Array.isArray,
  z
    .array(queryEntry)
    .min(1)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((q, i) => {
        if (seen.has(q.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate query name "${q.name}"` });
        seen.add(q.name);
      });
    }),
  z
    .record(queryName, z.string().trim().min(1))
    .refine((r) => Object.keys(r).length > 0, { error: 'needs at least one query' }),
);

export const prometheusConfig = z.strictObject({
  /** Base URL of the API, e.g. http://127.0.0.1:9090 (a path prefix such as /prometheus is kept). */
  url: httpUrl.describe('Base URL of the Prometheus-compatible API, e.g. http://127.0.0.1:9090.'),
  queries: queriesSchema.describe('name: PromQL, or a list of { name, query, labels? }; each result series is stored under the name.'),
  /** POST sends the query as a form (no URL length limit); GET for proxies that only allow GET. */
  method: z.enum(['POST', 'GET']).default('POST').describe('HTTP method for /api/v1/query.'),
  auth: authSchema.optional(),
  headers: headersSchema.optional(),
  tls: tlsSchema.optional(),
  max_body_bytes: byteSize.optional(),
  backfill: z
    .boolean()
    .default(true)
    .describe('Fill the history of a new query from this Prometheus with /api/v1/query_range (see docs/collectors.md); false to start empty.'),
});

export type PrometheusConfig = z.output<typeof prometheusConfig>;

export const prometheus: CollectorDefinition<PrometheusConfig> = {
  promql(config, seriesName) {
    return queryEntries(config).find((q) => q.name === seriesName)?.query;
  },
  type: 'prometheus',
  description: 'Runs PromQL instant queries against a Prometheus-compatible API and stores each result series under the query name.',
  defaultInterval: '60s',
  config: prometheusConfig,
  async collect(config, ctx) {
    const endpoint = queryEndpoint(config.url);
    const entries = queryEntries(config);
    const tls = await resolveTls(config.tls);
    // Stops the sibling requests once one shows the API itself is unusable.
    const stop = new AbortController();
    const signal = AbortSignal.any([ctx.signal, stop.signal]);
    const time = (ctx.now.getTime() / 1000).toFixed(3);

    const outcomes = await mapLimit(entries, CONCURRENCY, async (entry) => {
      try {
        const params = new URLSearchParams({ query: entry.query, time });
        const res = await requestApi(endpoint, params, config, tls, signal);
        return { ok: true as const, ...toSamples(entry, decode(endpoint, entry, res.contentType, res.text)) };
      } catch (err) {
        if (err instanceof QueryError) return { ok: false as const, error: err.message };
        if (!ctx.signal.aborted) stop.abort(err);
        throw err;
      }
    });

    const samples: Sample[] = [];
    const warnings: string[] = [];
    const failed: string[] = [];
    for (const o of outcomes) {
      if (o.ok) {
        for (const s of o.samples) samples.push(s);
        warnings.push(...o.warnings);
      } else failed.push(o.error);
    }
    if (failed.length > 0) {
      const message = failed.length === 1 ? failed[0]! : `${failed.length} of ${entries.length} queries failed: ${failed.join('; ')}`;
      if (failed.length === entries.length) throw new Error(message);
      throw new PartialCollectError(message, warnings.length > 0 ? { samples, warnings } : { samples });
    }
    return warnings.length > 0 ? { samples, warnings } : { samples };
  },
  backfill: prometheusBackfill,
};

export { queryEndpoint } from './prometheus-api.js';
