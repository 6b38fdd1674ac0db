import { z } from 'zod';
import type { CollectorDefinition, Sample } from './types.js';
import { fetchText, bodySnippet } from './fetch-text.js';
import { displayUrl } from './http-client.js';
import { parseExposition, type ExpositionSample, type ExpositionError } from './exposition.js';
import { anchored, authSchema, byShape, byteSize, headersSchema, httpUrl, regexSource, resolveTls, tlsSchema, toBytes } from './config-schemas.js';

/**
 * `scrape`: reads any Prometheus text exposition endpoint (node_exporter, an app's
 * /metrics) and stores the samples it keeps, raw: counters stay counters, rates are
 * computed at query time.
 *
 * Failure contract: the run fails when the target cannot be read, answers a non-2xx,
 * answers something that is not the text format (HTML, JSON), or yields no valid sample
 * while having malformed lines. Malformed lines on an otherwise valid page are skipped
 * and reported in `warnings` (line number and reason).
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Metric names, or one regex; a histogram or summary matches by its family name. */
const nameFilter = byShape(
  Array.isArray,
  z.array(z.string().regex(METRIC_NAME, { error: 'is not a valid metric name' })).min(1),
  z.strictObject({ regex: regexSource }),
);

const labelMatcher = byShape((v) => typeof v === 'string', z.string(), z.strictObject({ regex: regexSource }));

export const scrapeConfig = z.strictObject({
  url: httpUrl.describe('The exposition endpoint, e.g. http://127.0.0.1:9100/metrics.'),
  keep: nameFilter.optional().describe('Metric names to keep (a list, or { regex } fully anchored); a histogram or summary matches by family name. Default: all.'),
  drop: nameFilter.optional().describe('Metric names to drop after `keep`, same form as `keep`.'),
  /** label → exact value or { regex }; constrains only the samples that carry the label. */
  match_labels: z.record(z.string().regex(LABEL_NAME, { error: 'is not a valid label name' }), labelMatcher)
    .optional()
    .describe('label: exact value or { regex }; a sample carrying the label is kept only if it matches. Samples without the label are not affected.'),
  honor_timestamps: z.boolean().default(true).describe('Use timestamps written on the page; false stamps every sample with the run time.'),
  auth: authSchema.optional(),
  headers: headersSchema.optional(),
  tls: tlsSchema.optional(),
  max_body_bytes: byteSize.optional(),
});

export type ScrapeConfig = z.output<typeof scrapeConfig>;

export const SCRAPE_ACCEPT = 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1';
const MAX_WARNINGS = 10;

export const scrape: CollectorDefinition<ScrapeConfig> = {
  type: 'scrape',
  description: 'Reads a Prometheus text exposition endpoint (node_exporter, an app\'s /metrics) and stores the samples it keeps.',
  defaultInterval: '30s',
  config: scrapeConfig,
  async collect(config, ctx) {
    const url = displayUrl(config.url);
    const res = await fetchText(config.url, {
      signal: ctx.signal,
      accept: SCRAPE_ACCEPT,
      headers: config.headers,
      auth: config.auth,
      tls: await resolveTls(config.tls),
      maxBodyBytes: toBytes(config.max_body_bytes),
    });
    rejectForeignContent(url, res.contentType, res.text);
    const page = parseExposition(res.text, { openMetrics: res.contentType === 'application/openmetrics-text' });
    if (page.samples.length === 0 && page.errors.length > 0) {
      const first = page.errors[0]!;
      throw new Error(
        `${url} answered no valid sample in ${page.lines} lines; first error at line ${first.line}: ${first.message}` +
          (/^\s*</.test(res.text) ? ' (the body looks like HTML or XML)' : ''),
      );
    }
    const keep = buildFilter(config);
    const now = ctx.now.getTime();
    const samples: Sample[] = [];
    for (const s of page.samples) {
      if (!keep(s)) continue;
      const ts = config.honor_timestamps && s.timestampMs !== undefined ? s.timestampMs : now;
      samples.push({ name: s.name, labels: s.labels, ts, value: s.value });
    }
    const warnings = describeErrors(page.errors);
    if (page.samples.length === 0) warnings.push(`${url} answered an empty page (no samples)`);
    else if (samples.length === 0) warnings.push(`${url}: keep/drop/match_labels removed all ${page.samples.length} samples`);
    return warnings.length > 0 ? { samples, warnings } : { samples };
  },
};

/** HTML (a login page, a proxy's error) or JSON (the Prometheus API) is a wrong URL, not an empty page. */
function rejectForeignContent(url: string, contentType: string, body: string): void {
  if (contentType === 'text/html' || contentType === 'application/xhtml+xml') {
    throw new Error(`${url} answered ${contentType}, not the Prometheus text format (a login page or a proxy error?): "${bodySnippet(body, contentType, 100)}"`);
  }
  if (contentType === 'application/json') {
    throw new Error(`${url} answered application/json, not the Prometheus text format (for the Prometheus query API use type: prometheus)`);
  }
  if (contentType === 'application/vnd.google.protobuf') {
    throw new Error(`${url} answered the protobuf format although text was asked for; check a proxy that rewrites Accept`);
  }
}

type SampleFilter = (s: ExpositionSample) => boolean;

function nameMatcher(filter: string[] | { regex: string }): SampleFilter {
  if (Array.isArray(filter)) {
    const names = new Set(filter);
    return (s) => names.has(s.family) || names.has(s.name);
  }
  const re = anchored(filter.regex);
  return (s) => re.test(s.family) || re.test(s.name);
}

/** keep, then drop, then match_labels; each sample is tested once, cheap tests first. */
function buildFilter(config: ScrapeConfig): SampleFilter {
  const keep = config.keep ? nameMatcher(config.keep) : undefined;
  const drop = config.drop ? nameMatcher(config.drop) : undefined;
  const matchers = Object.entries(config.match_labels ?? {}).map(([label, m]): [string, (v: string) => boolean] => {
    if (typeof m === 'string') return [label, (v) => v === m];
    const re = anchored(m.regex);
    return [label, (v) => re.test(v)];
  });
  return (s) => {
    if (keep && !keep(s)) return false;
    if (drop && drop(s)) return false;
    for (const [label, test] of matchers) {
      const v = s.labels[label];
      if (v !== undefined && !test(v)) return false;
    }
    return true;
  };
}

function describeErrors(errors: ExpositionError[]): string[] {
  const out = errors.slice(0, MAX_WARNINGS).map((e) => `line ${e.line}: ${e.message}`);
  if (errors.length > MAX_WARNINGS) out.push(`… and ${errors.length - MAX_WARNINGS} more malformed lines`);
  return out;
}
