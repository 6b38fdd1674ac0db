import { z } from 'zod';
import { digits, int, isoTime, json, param, problems, rangeQuery, route, type RouteSpec } from './route.js';
import { WorkloadReloadSchema } from './evaluation-schemas.js';

/** Collectors, series and the workload file (routes/collectors.ts, routes/series.ts, routes/workload.ts). */

const RunSchema = z.object({
  startedAt: isoTime().nullable(),
  durationSeconds: z.number(),
  ok: z.boolean(),
  error: z.string().nullable(),
  samplesWritten: int(),
});

const backfillState = z.enum(['pending', 'running', 'done', 'failed']);

export const BackfillSchema = z
  .object({
    state: backfillState,
    progress: z.number().min(0).max(1).describe('share of the planned time range stored'),
    from: isoTime().nullable(),
    to: isoTime().nullable(),
    samplesWritten: int(),
    error: z.string().nullable(),
    nextAttemptAt: isoTime().nullable(),
    parts: z.array(
      z.object({
        part: z.string().describe('the part as tracked, e.g. one query: `<name>@<hash>`'),
        series: z.array(z.string()),
        state: backfillState,
        from: isoTime().nullable(),
        to: isoTime().nullable(),
        through: isoTime().nullable().describe('every sample up to this time is stored'),
        samplesWritten: int(),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({
    id: 'Backfill',
    description:
      "History fetched from the collector's source when it (or a part of it) was new (docs/collectors.md#backfill); null for types that cannot backfill.",
  });

export const CollectorSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    intervalSeconds: z.number(),
    timeoutSeconds: z.number(),
    up: z.boolean().nullable(),
    running: z.boolean(),
    consecutiveFailures: int(),
    lastRun: RunSchema.nullable(),
    lastSuccess: RunSchema.nullable(),
    lastError: z.string().nullable(),
    nextRunAt: isoTime().nullable(),
    backfill: BackfillSchema.nullable(),
  })
  .meta({ id: 'Collector' });

export const CollectorListSchema = z.object({ collectors: z.array(CollectorSchema) });

const labels = z.record(z.string(), z.string());
/** JSON has no NaN or Infinity: those values are sent as strings, as Prometheus's API does. */
const sampleValue = z.union([z.number(), z.enum(['NaN', '+Inf', '-Inf'])]);
const selector = (description: string) => param(description, z.string().min(1, { message: 'a series selector is required, e.g. match=node_load1{instance="host:9100"}' }));

const versionShape = { id: int(), hash: z.string(), appliedAt: isoTime(), path: z.string() };

export const WorkloadAnswerSchema = z.object({
  version: z.object(versionShape),
  reload: WorkloadReloadSchema,
  workload: z.record(z.string(), z.unknown()).describe('The workload file as loaded, secrets redacted'),
});
export const WorkloadVersionsSchema = z.object({ versions: z.array(z.object({ ...versionShape, active: z.boolean() })) });
export const ReloadAnswerSchema = z.object({ applied: z.boolean(), unchanged: z.boolean(), version: z.object({ id: int(), hash: z.string() }).nullable() });

const tag = 'collection';

export const collectionRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/collectors',
    summary: 'Collectors and their last runs',
    tag,
    scope: 'read',
    responses: { 200: json(CollectorListSchema) },
  }),
  route({
    method: 'get',
    path: '/api/collectors/{id}',
    summary: 'One collector',
    tag,
    scope: 'read',
    params: z.object({ id: z.string().describe('Collector id') }),
    responses: { 200: json(CollectorSchema), ...problems(404) },
  }),
  route({
    method: 'get',
    path: '/api/series',
    summary: 'Series matching a selector',
    tag,
    scope: 'read',
    query: z.object({
      match: selector('PromQL-style selector, e.g. node_load1{instance=~"web.*"}'),
      limit: digits('At most this many series (1–1000)'),
    }),
    responses: {
      200: json(z.object({ series: z.array(z.object({ name: z.string(), labels })), truncated: z.boolean() })),
      ...problems(400),
    },
  }),
  route({
    method: 'get',
    path: '/api/series/query',
    summary: 'Points of the matched series, raw or from hourly rollups',
    tag,
    scope: 'read',
    query: z.object({
      match: selector('Selector'),
      ...rangeQuery,
      agg: param('Bucket aggregation (default avg)', z.enum(['avg', 'min', 'max', 'sum', 'count', 'last'])).optional(),
      source: param('auto (default), raw or rollup', z.enum(['auto', 'raw', 'rollup'])).optional(),
      limit: digits('At most this many series (default 100, max 1000)'),
    }),
    responses: {
      200: json(
        z.object({
          from: isoTime(),
          to: isoTime(),
          stepSeconds: z.number(),
          aggregation: z.enum(['avg', 'min', 'max', 'sum', 'count', 'last']),
          source: z.enum(['raw', 'rollup']),
          series: z.array(z.object({ name: z.string(), labels, points: z.array(z.tuple([z.number(), sampleValue]).describe('[unixSeconds, value]')) })),
        }),
      ),
      ...problems(400, 422),
    },
  }),
  route({
    method: 'get',
    path: '/api/workload',
    summary: 'The active workload (secrets redacted), its version, and how the latest reloads of the file went: a refused edit with every issue',
    tag: 'workload',
    scope: 'read',
    responses: {
      200: json(WorkloadAnswerSchema),
      ...problems(503),
    },
  }),
  route({
    method: 'get',
    path: '/api/workload/versions',
    summary: 'Every applied version of the workload file',
    tag: 'workload',
    scope: 'read',
    responses: { 200: json(WorkloadVersionsSchema) },
  }),
  route({
    method: 'post',
    path: '/api/workload/reload',
    summary: 'Re-read the workload file now (admin)',
    tag: 'workload',
    scope: 'admin',
    responses: {
      200: json(ReloadAnswerSchema),
      ...problems(404, 422),
    },
  }),
];
