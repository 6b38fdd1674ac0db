import { z } from 'zod';
import { PartialCollectError, type CollectorDefinition, type Sample } from './types.js';
import { fetchText, bodySnippet, FetchError } from './fetch-text.js';
import { displayUrl } from './http-client.js';
import { parseFloatToken } from './prom-float.js';
import { mapLimit } from './map-limit.js';
import { authSchema, byShape, byteSize, headersSchema, httpUrl, resolveTls, tlsSchema, toBytes } from './config-schemas.js';

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
type QueryEntry = z.output<typeof queryEntry>;

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
});

export type PrometheusConfig = z.output<typeof prometheusConfig>;

/** The API's envelope; `data.result` is checked by hand below for precise messages. */
const envelope = z.looseObject({
  status: z.enum(['success', 'error']),
  data: z.looseObject({ resultType: z.string(), result: z.unknown() }).optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  infos: z.array(z.string()).optional(),
});

/** A failure of one query, as opposed to a failure to reach the API at all. */
class QueryError extends Error {}

function queryEntries(config: PrometheusConfig): QueryEntry[] {
  return Array.isArray(config.queries) ? config.queries : Object.entries(config.queries).map(([name, query]) => ({ name, query }));
}

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
        const res = await fetchText(config.method === 'GET' ? `${endpoint}?${params}` : endpoint, {
          signal,
          method: config.method,
          form: config.method === 'POST' ? params : undefined,
          accept: 'application/json',
          headers: config.headers,
          auth: config.auth,
          tls,
          maxBodyBytes: toBytes(config.max_body_bytes),
        }).catch((err: unknown) => recoverErrorEnvelope(err));
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

    /**
     * Prometheus answers a rejected query with 400/422/503 and its JSON error envelope:
     * that is the query's failure. Any other non-2xx (a proxy's 401, a 404) stays a
     * transport failure with its status in the message.
     */
    function recoverErrorEnvelope(err: unknown): { contentType: string; text: string } {
      if (err instanceof FetchError && err.kind === 'status' && err.response && isErrorEnvelope(err.response.body)) {
        return { contentType: err.response.contentType, text: err.response.body };
      }
      if (err instanceof FetchError && err.kind === 'status' && err.response?.status === 404) {
        throw new Error(`${err.message} (is url the Prometheus base URL, e.g. http://127.0.0.1:9090?)`, { cause: err });
      }
      throw err;
    }
  },
};

/** `<base>/api/v1/query`; a URL that already ends in /api/v1/query is accepted as is. */
export function queryEndpoint(base: string): string {
  const u = new URL(base);
  u.search = '';
  u.hash = '';
  const path = u.pathname.replace(/\/+$/, '').replace(/\/api\/v1\/query$/, '');
  u.pathname = `${path}/api/v1/query`;
  return u.toString();
}

type Envelope = z.output<typeof envelope>;

function isErrorEnvelope(body: string): boolean {
  try {
    const json: unknown = JSON.parse(body);
    return typeof json === 'object' && json !== null && (json as { status?: unknown }).status === 'error';
  } catch {
    return false;
  }
}

function decode(endpoint: string, entry: QueryEntry, contentType: string, text: string): Envelope {
  const where = displayUrl(endpoint);
  if (contentType !== 'application/json' && !/^\s*[{[]/.test(text)) {
    throw new Error(`${where} answered ${contentType || 'no content type'}, not JSON (a login page or a proxy in front of Prometheus?): "${bodySnippet(text, contentType, 100)}"`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where} answered invalid JSON: "${bodySnippet(text, contentType, 100)}"`);
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) throw new Error(`${where} answered JSON that is not a Prometheus API response: "${bodySnippet(text, '', 100)}"`);
  const env = parsed.data;
  if (env.status === 'error') {
    throw new QueryError(`Prometheus rejected query "${entry.name}" (${env.errorType ?? 'error'}): ${env.error ?? 'no error message'}`);
  }
  return env;
}

function toSamples(entry: QueryEntry, env: Envelope): { samples: Sample[]; warnings: string[] } {
  const warnings = [...(env.warnings ?? []), ...(env.infos ?? [])].map((w) => `query "${entry.name}": ${w}`);
  const data = env.data;
  if (!data) throw new QueryError(`query "${entry.name}": the answer has no data`);
  const bad = (what: string): never => {
    throw new QueryError(`query "${entry.name}": ${what}`);
  };
  const samples: Sample[] = [];
  const point = (labels: Record<string, string>, p: unknown) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'number' || typeof p[1] !== 'string') bad(`malformed point ${JSON.stringify(p)}`);
    const pair = p as [number, string];
    const value = parseFloatToken(pair[1]);
    if (value === undefined) bad(`value ${JSON.stringify(pair[1])} is not a number`);
    samples.push({ name: entry.name, labels, ts: Math.round(pair[0] * 1000), value: value! });
  };
  const result = data.result;
  switch (data.resultType) {
    case 'scalar':
      point({ ...entry.labels }, result);
      break;
    case 'vector':
    case 'matrix': {
      if (!Array.isArray(result)) bad(`${data.resultType} result is not a list`);
      const seen = new Map<string, string>();
      for (const series of result as unknown[]) {
        const s = series as { metric?: Record<string, string>; value?: unknown; values?: unknown[]; histogram?: unknown; histograms?: unknown };
        if (typeof s !== 'object' || s === null || typeof s.metric !== 'object') bad(`malformed series ${JSON.stringify(series)}`);
        const { __name__: metricName, ...rest } = s.metric!;
        const labels = { ...rest, ...entry.labels };
        const key = canonical(labels);
        const clash = seen.get(key);
        if (clash !== undefined) {
          bad(`several series differ only in their metric name (${clash}, ${metricName ?? '?'}); aggregate the query or keep the name with label_replace`);
        }
        seen.set(key, metricName ?? '');
        if (s.histogram !== undefined || s.histograms !== undefined) {
          warnings.push(`query "${entry.name}": native histogram samples are not stored; query histogram_quantile() or histogram_count() instead`);
        }
        if (data.resultType === 'vector') {
          if (s.value !== undefined) point(labels, s.value);
        } else {
          for (const p of s.values ?? []) point(labels, p);
        }
      }
      break;
    }
    case 'string':
      bad('returned a string, not a number');
      break;
    default:
      bad(`unknown result type "${data.resultType}"`);
  }
  return { samples, warnings };
}

function canonical(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}
