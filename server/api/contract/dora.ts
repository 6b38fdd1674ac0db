import { z } from 'zod';
import { TIERS, WINDOW_IDS } from '../../dora/index.js';
import { int, isoTime, json, param, problems, route, type RouteSpec } from './route.js';

/** DORA four keys per service and window (routes/dora.ts; docs/dora.md). */

const windowId = z.enum(WINDOW_IDS as [string, ...string[]]);
const key = (unit: string) => z.object({ value: z.number().nullable(), unit: z.literal(unit), tier: z.enum(TIERS).nullable(), sampleSize: int() });

const ScopeSchema = z.object({
  scope: z.enum(['workload', 'service']),
  service: z.string().nullable(),
  deployments: int(),
  failedDeployments: int(),
  keys: z.object({
    deployment_frequency: key('deployments/day'),
    lead_time: key('seconds'),
    change_failure_rate: key('ratio'),
    time_to_restore: key('seconds'),
  }),
});

export const DoraAnswerSchema = z.object({
  at: isoTime(),
  window: windowId,
  benchmark: z.object({ year: int(), source: z.string() }),
  incidentLinks: z.object({ explicit: int(), previous: int(), unresolved: int(), none: int() }),
  scopes: z.array(ScopeSchema),
});

export const doraRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/dora',
    summary: 'DORA four keys (value, unit, performance tier, sample size) for one service, or the workload and every service',
    tag: 'dora',
    scope: 'read',
    query: z.object({
      service: param('Only this service (default: the workload and every service)', z.string().min(1, { message: 'must be a service name' })).optional(),
      window: param('Rolling window (default 30d)', windowId).optional(),
    }),
    responses: {
      200: json(DoraAnswerSchema),
      ...problems(400, 404, 503),
    },
  }),
];
