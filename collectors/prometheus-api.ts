import { z } from 'zod';
import type { Sample } from './types.js';
import { bodySnippet, fetchText, FetchError, type FetchTextOptions } from './fetch-text.js';
import { toBytes } from './config-schemas.js';
import type { PrometheusConfig } from './prometheus.js';
import { displayUrl } from './http-client.js';
import { parseFloatToken } from './prom-float.js';

/**
 * The Prometheus HTTP API as the `prometheus` collector reads it, shared by live collection
 * (`/api/v1/query`) and backfill (`/api/v1/query_range`): endpoints, the JSON envelope, and
 * the conversion of a result into samples named after the query.
 */

/** One configured query: its series are stored under `name`, with `labels` added. */
export interface QueryEntry {
  name: string;
  query: string;
  labels?: Record<string, string>;
}

/** The configured queries as a list, whichever of the two forms (`name: promql` or a list) was written. */
export function queryEntries(config: { queries: QueryEntry[] | Record<string, string> }): QueryEntry[] {
  const q = config.queries;
  return Array.isArray(q) ? q : Object.entries(q).map(([name, query]) => ({ name, query }));
}

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
export class QueryError extends Error {}

/**
 * Prometheus answers a rejected query with 400/422/503 and its JSON error envelope:
 * that is the query's failure. Any other non-2xx (a proxy's 401, a 404) stays a
 * transport failure with its status in the message.
 */
export function recoverErrorEnvelope(err: unknown): { contentType: string; text: string } {
  if (err instanceof FetchError && err.kind === 'status' && err.response && isErrorEnvelope(err.response.body)) {
    return { contentType: err.response.contentType, text: err.response.body };
  }
  if (err instanceof FetchError && err.kind === 'status' && err.response?.status === 404) {
    throw new Error(`${err.message} (is url the Prometheus base URL, e.g. http://127.0.0.1:9090?)`, { cause: err });
  }
  throw err;
}

/** `<base>/api/v1/query`; a URL that already ends in /api/v1/query is accepted as is. */
export function queryEndpoint(base: string): string {
  return apiEndpoint(base, 'query');
}

/** `<base>/api/v1/query_range`, from the same base URL as queryEndpoint. */
export function queryRangeEndpoint(base: string): string {
  return apiEndpoint(base, 'query_range');
}

function apiEndpoint(base: string, api: 'query' | 'query_range'): string {
  const u = new URL(base);
  u.search = '';
  u.hash = '';
  const path = u.pathname.replace(/\/+$/, '').replace(/\/api\/v1\/query$/, '');
  u.pathname = `${path}/api/v1/${api}`;
  return u.toString();
}

export type Envelope = z.output<typeof envelope>;

export function isErrorEnvelope(body: string): boolean {
  try {
    const json: unknown = JSON.parse(body);
    return typeof json === 'object' && json !== null && (json as { status?: unknown }).status === 'error';
  } catch {
    return false;
  }
}

export function decode(endpoint: string, entry: QueryEntry, contentType: string, text: string): Envelope {
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

export function toSamples(entry: QueryEntry, env: Envelope): { samples: Sample[]; warnings: string[] } {
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

/**
 * One request to a Prometheus HTTP API endpoint (`query` or `query_range`) with the collector's
 * method (GET with the query string, or POST as a form), headers, auth, TLS and body cap. An
 * error answer that carries Prometheus's JSON envelope comes back as a body for `decode`, which
 * turns it into the server's own message.
 */
export function requestApi(
  endpoint: string,
  params: URLSearchParams,
  config: Pick<PrometheusConfig, 'method' | 'headers' | 'auth' | 'max_body_bytes'>,
  tls: FetchTextOptions['tls'],
  signal: AbortSignal,
): Promise<{ contentType: string; text: string }> {
  return fetchText(config.method === 'GET' ? `${endpoint}?${params}` : endpoint, {
    signal,
    method: config.method,
    form: config.method === 'POST' ? params : undefined,
    accept: 'application/json',
    headers: config.headers,
    auth: config.auth,
    tls,
    maxBodyBytes: toBytes(config.max_body_bytes),
  }).catch((err: unknown) => recoverErrorEnvelope(err));
}
