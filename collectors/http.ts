import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { CollectorDefinition, Sample } from './types.js';
import { request, displayUrl, FetchError } from './http-client.js';
import { compilePattern } from './pattern.js';
import { byShape, byteSize, headersSchema, httpUrl, regexSource, resolveTls, tlsSchema, toBytes } from './config-schemas.js';

/**
 * `http`: probes URLs the way blackbox_exporter's http module does and reports, per
 * target (label `target`: its `name`, or else its URL without password):
 *   probe_success                         1 when the answer met every expectation, else 0
 *   probe_http_status_code                final status, 0 when no answer came
 *   probe_duration_seconds                request start to end of body, redirects included
 *   probe_http_redirects                  redirects followed
 *   probe_ssl_earliest_cert_expiry_days   https only: days from ctx.now until the earliest
 *                                         certificate in the presented chain expires
 *
 * Failure contract: a target that is down, slow, or answers wrongly is data
 * (`probe_success 0`, the reason in `warnings`), never a failed run: reporting "down"
 * is the probe's job. Only an abort of the run (timeout, shutdown) rejects. Each probe
 * has its own `probe_timeout_ms` so one hanging target cannot cost the others' results;
 * keep it below the collector's `timeout`.
 */

const STATUS = z.number().int().min(100).max(599);

const targetObject = z.strictObject({
  url: httpUrl,
  /** The `target` label; defaults to the URL. */
  name: z.string().min(1).optional(),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  /** One status or a list; default: any 2xx or 3xx. */
  expect_status: z.union([STATUS, z.array(STATUS).min(1)], { error: 'must be an HTTP status (e.g. 200) or a list of them' }).optional(),
  /** The body must match this (unanchored) regular expression, RE2 syntax. */
  body_match: regexSource.optional(),
  headers: headersSchema.optional(),
  body: z.string().optional(),
});

const target = byShape((v) => typeof v === 'string', httpUrl, targetObject);

export const httpConfig = z
  .strictObject({
    targets: z.array(target).min(1).describe('URLs to probe: a URL, or { url, name?, method?, expect_status?, body_match?, headers?, body? }.'),
    follow_redirects: z.boolean().default(true).describe('Follow up to 10 redirects; the final status is reported.'),
    /** Per probe, in milliseconds. */
    probe_timeout_ms: z.number().int().positive().default(10_000).describe('Per probe; a slower target is reported down. Keep it below the collector timeout.'),
    tls: tlsSchema.optional(),
    /** Read cap for bodies; a larger body fails the probe. */
    max_body_bytes: byteSize.optional(),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.targets.forEach((t, i) => {
      const label = targetLabel(t);
      if (seen.has(label)) ctx.addIssue({ code: 'custom', path: ['targets', i], message: `duplicate target "${label}": give each a distinct name` });
      seen.add(label);
    });
  });

export type HttpConfig = z.output<typeof httpConfig>;
type Target = HttpConfig['targets'][number];
type ProbeSpec = z.output<typeof targetObject>;

/** The `target` label: the name, else the URL as written (password masked), so it matches what users type in selectors. */
function targetLabel(t: Target): string {
  if (typeof t !== 'string' && t.name !== undefined) return t.name;
  const url = typeof t === 'string' ? t : t.url;
  return new URL(url).password ? displayUrl(url) : url;
}

const CONCURRENCY = 8;
const DAY_MS = 86_400_000;

export const http: CollectorDefinition<HttpConfig> = {
  type: 'http',
  description: 'Probes URLs like blackbox_exporter: success, status code, duration and TLS certificate days left per target.',
  defaultInterval: '30s',
  config: httpConfig,
  async collect(config, ctx) {
    const tls = await resolveTls(config.tls);
    const now = ctx.now.getTime();
    const samples: Sample[] = [];
    const warnings: string[] = [];
    const targets: ProbeSpec[] = config.targets.map((t) => (typeof t === 'string' ? { url: t, method: 'GET' } : t));

    // Sequential chunks of parallel probes: bounded load on the targets and on us.
    for (let i = 0; i < targets.length; i += CONCURRENCY) {
      const chunk = targets.slice(i, i + CONCURRENCY);
      const results = await Promise.all(chunk.map((t) => probe(t)));
      results.forEach((r, j) => {
        const t = chunk[j]!;
        const labels = { target: targetLabel(t) };
        const add = (name: string, value: number) => samples.push({ name, labels, ts: now, value });
        add('probe_success', r.failure === undefined ? 1 : 0);
        add('probe_http_status_code', r.status);
        add('probe_duration_seconds', r.seconds);
        add('probe_http_redirects', r.redirects);
        if (r.certNotAfter !== undefined) add('probe_ssl_earliest_cert_expiry_days', (r.certNotAfter - now) / DAY_MS);
        if (r.failure !== undefined) warnings.push(`${labels.target}: ${r.failure}`);
      });
    }
    return warnings.length > 0 ? { samples, warnings } : { samples };

    async function probe(spec: ProbeSpec): Promise<ProbeResult> {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const res = await request(spec.url, {
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(config.probe_timeout_ms)]),
          method: spec.method,
          headers: { 'user-agent': 'pillarboard-probe', ...lower(spec.headers) },
          body: spec.body,
          readBody: spec.body_match !== undefined,
          maxBodyBytes: toBytes(config.max_body_bytes),
          followRedirects: config.follow_redirects,
          tls,
        });
        const base = { status: res.status, seconds: seconds(), redirects: res.redirects, certNotAfter: res.certNotAfter };
        if (!statusOk(res.status, spec.expect_status)) {
          return { ...base, failure: `answered ${res.status}${res.statusText ? ' ' + res.statusText : ''}, expected ${describeExpected(spec.expect_status)}` };
        }
        if (spec.body_match !== undefined && !compilePattern(spec.body_match, { anchored: false }).test(res.body)) {
          return { ...base, failure: `body does not match /${spec.body_match}/` };
        }
        return base;
      } catch (err) {
        // The run's own abort is not a probe result: give up on the whole run, promptly.
        if (ctx.signal.aborted) throw err;
        const message = err instanceof FetchError && err.kind === 'timeout'
          ? `no complete answer within probe_timeout_ms (${config.probe_timeout_ms} ms)`
          : (err as Error).message;
        return { status: 0, seconds: seconds(), redirects: 0, failure: message };
      }
    }
  },
};

interface ProbeResult {
  status: number;
  seconds: number;
  redirects: number;
  certNotAfter?: number;
  failure?: string;
}

function statusOk(status: number, expected: number | number[] | undefined): boolean {
  if (expected === undefined) return status >= 200 && status <= 399;
  return Array.isArray(expected) ? expected.includes(status) : status === expected;
}

function describeExpected(expected: number | number[] | undefined): string {
  if (expected === undefined) return '2xx or 3xx';
  return Array.isArray(expected) ? expected.join(' or ') : String(expected);
}

function lower(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}
