import { z } from 'zod';
import { STATUSES } from '../../scoring/types.js';
import { digits, int, isoTime, json, param, problem, problems, rangeQuery, route, type RouteSpec } from './route.js';
import {
  historyShape,
  IndicatorSchema,
  OutcomeSchema,
  PillarIdSchema,
  PillarSchema,
  SummarySchema,
  TransitionSchema,
} from './evaluation-schemas.js';

/** Health, the summary and its stream, pillars, outcomes, indicators and their history (routes/health.ts, routes/evaluation.ts, routes/stream.ts). */

const pillarParam = z.object({ pillar: z.string().describe('Pillar id (one of the six; another answers 404)') });
const idParam = (what: string) => z.object({ id: z.string().describe(`${what} id`) });

export const ReadyAnswerSchema = z.object({
  status: z.literal('ready'),
  checks: z.record(z.string(), z.string()),
  workload: z.object({
    version: int(),
    appliedAt: isoTime(),
    lastReloadSuccessful: z.boolean(),
    detail: z.string().meta({
      example:
        'the last reload (2026-12-07T14:05:00.000Z) was refused: the workload file has 2 error(s) (see GET /api/workload or pillarboard check); still running version 7 from 2026-12-07T14:02:00.000Z',
    }),
  }),
});

const tag = 'evaluation';

export const healthRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    tag: 'health',
    scope: 'public',
    responses: { 200: json(z.object({ status: z.literal('ok') })) },
  }),
  route({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: database open, workload loaded. A refused reload keeps it ready (the last good version runs); `workload.detail` says so',
    tag: 'health',
    scope: 'public',
    responses: {
      200: json(ReadyAnswerSchema),
      503: problem('Not ready: the database cannot be reached or no workload is loaded; `detail` names each check.'),
    },
  }),
  route({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format 0.0.4)',
    tag: 'metrics',
    scope: 'metrics',
    responses: { 200: { description: 'Metrics', content: { 'text/plain': z.string() } } },
  }),
  route({
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This document',
    tag: 'health',
    scope: 'read',
    responses: { 200: json(z.record(z.string(), z.unknown())) },
  }),
];

export const evaluationRoutes: RouteSpec[] = [
  route({ method: 'get', path: '/api/summary', summary: 'Everything a wall screen needs in one call', tag, scope: 'read', responses: { 200: json(SummarySchema), ...problems(503) } }),
  route({
    method: 'get',
    path: '/api/stream',
    summary: "Server-Sent Events: `event: summary` with the Summary at once, after every evaluation and when the workload file's reload status changes; `event: revoked` when the token it was opened with is revoked",
    tag,
    scope: 'read',
    responses: {
      200: {
        description: 'An event stream',
        content: { 'text/event-stream': z.string() },
        events: {
          summary: SummarySchema,
          revoked: z.object({ detail: z.string() }).describe('The token was revoked or lost read scope; the stream closes'),
          error: z.object({ detail: z.string() }).describe('The summary could not be built this time; the stream stays open'),
        },
      },
    },
  }),
  route({
    method: 'get',
    path: '/api/pillars',
    summary: 'The six pillars',
    tag,
    scope: 'read',
    responses: { 200: json(z.object({ evaluatedAt: isoTime(), pillars: z.array(PillarSchema) })), ...problems(503) },
  }),
  route({
    method: 'get',
    path: '/api/pillars/{pillar}',
    summary: 'One pillar with its indicators',
    tag,
    scope: 'read',
    params: pillarParam,
    responses: { 200: json(PillarSchema.extend({ evaluatedAt: isoTime(), indicators: z.array(IndicatorSchema) })), ...problems(404, 503) },
  }),
  route({
    method: 'get',
    path: '/api/pillars/{pillar}/history',
    summary: 'Pillar health score over time',
    tag,
    scope: 'read',
    params: pillarParam,
    query: z.object(rangeQuery),
    responses: {
      200: json(z.object({ pillar: PillarIdSchema, title: z.string(), metric: z.literal('score'), ...historyShape })),
      ...problems(400, 404),
    },
  }),
  route({
    method: 'get',
    path: '/api/outcomes',
    summary: 'Business outcomes',
    tag,
    scope: 'read',
    responses: { 200: json(z.object({ evaluatedAt: isoTime(), outcomes: z.array(OutcomeSchema) })), ...problems(503) },
  }),
  route({
    method: 'get',
    path: '/api/outcomes/{id}',
    summary: 'One business outcome with its indicators and what each cost it',
    tag,
    scope: 'read',
    params: idParam('Outcome'),
    responses: { 200: json(OutcomeSchema.extend({ evaluatedAt: isoTime() })), ...problems(404, 503) },
  }),
  route({
    method: 'get',
    path: '/api/outcomes/{id}/history',
    summary: 'Outcome score over time',
    tag,
    scope: 'read',
    params: idParam('Outcome'),
    query: z.object(rangeQuery),
    responses: { 200: json(z.object({ outcome: z.string(), metric: z.literal('score'), ...historyShape })), ...problems(400, 404, 503) },
  }),
  route({
    method: 'get',
    path: '/api/indicators',
    summary: 'Indicators, optionally filtered',
    tag,
    scope: 'read',
    query: z.object({
      pillar: param('Only this pillar', PillarIdSchema).optional(),
      status: param('Only this status', z.enum(STATUSES)).optional(),
    }),
    responses: { 200: json(z.object({ evaluatedAt: isoTime(), indicators: z.array(IndicatorSchema) })), ...problems(400, 503) },
  }),
  route({
    method: 'get',
    path: '/api/indicators/{id}',
    summary: 'One indicator: value, objective, status, score, SLO budget and burn rates, recent transitions',
    tag,
    scope: 'read',
    params: idParam('Indicator'),
    query: z.object({ limit: digits('Transitions to return (default 20, max 1000)') }),
    responses: {
      200: json(IndicatorSchema.extend({ evaluatedAt: isoTime(), transitions: z.array(TransitionSchema) })),
      ...problems(400, 404, 503),
    },
  }),
  route({
    method: 'get',
    path: '/api/indicators/{id}/history',
    summary: 'Indicator score, value or SLO budget remaining over time',
    tag,
    scope: 'read',
    params: idParam('Indicator'),
    query: z.object({ ...rangeQuery, metric: param('score (default), value or budget_remaining', z.enum(['score', 'value', 'budget_remaining'])).optional() }),
    responses: {
      200: json(z.object({ indicator: z.string(), metric: z.enum(['score', 'value', 'budget_remaining']), ...historyShape })),
      ...problems(400, 404, 503),
    },
  }),
];
