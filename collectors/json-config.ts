import { z } from 'zod';
import { authSchema, byteSize, headersSchema, httpUrl, tlsSchema } from './config-schemas.js';
import { parseJsonPath } from './json-path.js';

/**
 * The `json` collector's part of the workload file. Every JSONPath is checked here, so a
 * syntax error or a filter expression is a `pillarboard check` error at its field
 * (`collectors[3].metrics[0].value`), never a surprise at run time.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const PARAM_NAME = /^[^\s&=#]+$/;

export const jsonPathString = z
  .string()
  .superRefine((s, ctx) => {
    const r = parseJsonPath(s);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: `"${s}" is not a JSONPath this collector accepts: ${r.message}` });
  })
  .describe('A JSONPath (RFC 9535 without filter expressions), e.g. $.data[*].');

const metricSchema = z.strictObject({
  name: z.string().regex(METRIC_NAME, { error: 'is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)' }).describe('Series name of the samples.'),
  type: z.enum(['gauge', 'counter']).default('gauge').describe('gauge, or counter (a running total: never negative; read it with increase-style indicators).'),
  items: jsonPathString.optional().describe('Path from the document root to the items, one sample each, e.g. $.data[*]. Default: the document itself is the one item.'),
  value: jsonPathString.describe('Path from the item to its number, e.g. $.count ("$" is the item). A string is parsed as a number strictly; true/false are 1/0.'),
  labels: z
    .record(z.string().regex(LABEL_NAME, { error: 'is not a valid label name' }).refine((n) => !n.startsWith('__'), { error: 'label names starting with __ are reserved' }), jsonPathString)
    .optional()
    .describe('label: path from the item, e.g. { region: $.region }.'),
  root_labels: z
    .record(z.string().regex(LABEL_NAME, { error: 'is not a valid label name' }).refine((n) => !n.startsWith('__'), { error: 'label names starting with __ are reserved' }), jsonPathString)
    .optional()
    .describe('label: path from the document root, the same for every item of a page, e.g. { account: $.meta.account }.'),
  timestamp: jsonPathString.optional().describe('Path from the item to its time: ISO 8601 text (UTC when no zone is given) or a Unix time. Default: the run time.'),
  timestamp_unit: z.enum(['s', 'ms', 'us', 'ns']).optional().describe('Unit of a numeric timestamp. Default: by size (seconds below 10^11, then ms, µs, ns).'),
}).superRefine((m, ctx) => {
  for (const name of Object.keys(m.root_labels ?? {})) {
    if (m.labels && Object.hasOwn(m.labels, name)) ctx.addIssue({ code: 'custom', path: ['root_labels', name], message: `label ${name} is also in labels; give it once` });
  }
});

const pageLimits = {
  max_pages: z.number().int().min(1).max(10_000).default(100).describe('Most pages one run reads; an API with more fails the run.'),
  max_total_bytes: byteSize.optional().describe('Most bytes read over all pages of a run (default 100 MiB); more fails the run.'),
};

const paginationSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('link_header'), ...pageLimits }),
    z.strictObject({ type: z.literal('next_url'), path: jsonPathString.describe('Path from the document root to the next page URL.'), ...pageLimits }),
    z
      .strictObject({
        type: z.literal('cursor'),
        path: jsonPathString.describe('Path from the document root to the next cursor.'),
        param: z.string().regex(PARAM_NAME, { error: 'is not a valid query parameter name' }).optional().describe('Send the cursor as this query parameter.'),
        body_field: z.string().min(1).optional().describe('Send the cursor as this top-level field of the JSON body (method: POST).'),
        ...pageLimits,
      })
      .refine((c) => (c.param === undefined) !== (c.body_field === undefined), { error: 'give param or body_field (where the cursor is sent), exactly one' }),
    z.strictObject({
      type: z.literal('page_number'),
      param: z.string().regex(PARAM_NAME, { error: 'is not a valid query parameter name' }).describe('Query parameter carrying the page number.'),
      start: z.number().int().min(0).default(1).describe('Number of the first page.'),
      ...pageLimits,
    }),
    z.strictObject({
      type: z.literal('offset'),
      param: z.string().regex(PARAM_NAME, { error: 'is not a valid query parameter name' }).describe('Query parameter carrying the offset.'),
      step: z.number().int().min(1).describe('How much the offset grows per page: the page size (set the size itself in url or query).'),
      start: z.number().int().min(0).default(0).describe('Offset of the first page.'),
      ...pageLimits,
    }),
  ],
  { error: 'type must be link_header, next_url, cursor, page_number or offset' },
);

export const jsonConfig = z
  .strictObject({
    url: httpUrl.describe('The API endpoint, query string included.'),
    query: z
      .record(z.string().regex(PARAM_NAME, { error: 'is not a valid query parameter name' }), z.string())
      .optional()
      .describe('Query parameters set on every page\'s URL, e.g. { api_key: ${API_KEY} }; their values are shown as *** in messages.'),
    method: z.enum(['GET', 'POST']).default('GET').describe('GET, or POST with `body`.'),
    body: z.json().optional().describe('JSON body of a POST (any JSON value; strings may use ${ENV}).'),
    metrics: z.array(metricSchema).min(1).describe('What to read: a list of { name, value, items?, labels?, root_labels?, timestamp?, timestamp_unit?, type? }.'),
    on_missing: z
      .enum(['error', 'skip'])
      .default('error')
      .describe('When a value, label or timestamp path finds nothing (or null) in an item: error fails the run; skip leaves the item out and counts it in a warning.'),
    pagination: paginationSchema.optional().describe('How to reach the next page: { type: link_header | next_url | cursor | page_number | offset, … }.'),
    auth: authSchema.optional(),
    headers: headersSchema.optional(),
    tls: tlsSchema.optional(),
    max_body_bytes: byteSize.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.body !== undefined && c.method !== 'POST') ctx.addIssue({ code: 'custom', path: ['body'], message: 'a body is sent only with method: POST' });
    const p = c.pagination;
    if (p && 'param' in p && p.param !== undefined && c.query && Object.hasOwn(c.query, p.param)) {
      ctx.addIssue({ code: 'custom', path: ['pagination', 'param'], message: `${p.param} is also set in query, which would hold it fixed; set it in one place` });
    }
    if ((p?.type === 'page_number' || p?.type === 'offset') && !c.metrics.some((m) => m.items !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['pagination', 'type'], message: `${p.type} pagination ends at a page without items, so at least one metric needs items:` });
    }
    if (p?.type === 'cursor' && p.body_field !== undefined) {
      if (c.method !== 'POST') ctx.addIssue({ code: 'custom', path: ['pagination', 'body_field'], message: 'needs method: POST (a GET has no body)' });
      else if (c.body !== undefined && (c.body === null || typeof c.body !== 'object' || Array.isArray(c.body))) {
        ctx.addIssue({ code: 'custom', path: ['pagination', 'body_field'], message: 'needs a body that is a JSON object, to put the cursor in' });
      }
    }
  });

export type JsonConfig = z.output<typeof jsonConfig>;
export type JsonMetric = JsonConfig['metrics'][number];
export type JsonPagination = NonNullable<JsonConfig['pagination']>;

export const DEFAULT_MAX_TOTAL_BYTES = 100 * 1024 * 1024;
