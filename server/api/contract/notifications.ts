import { z } from 'zod';
import { int, isoTime, json, problems, route, type RouteSpec } from './route.js';

/** Notifications and their silences (routes/notifications.ts; docs/notifications.md). */

const status = z.enum(['ok', 'warning', 'critical', 'no_data', 'stale']);

export const NotificationListSchema = z.object({
  notifications: z.array(
    z.object({
      id: int(),
      rule: z.string(),
      subject: z.string().describe('`<kind>:<id>`, e.g. `outcome:checkout`'),
      kind: z.enum(['firing', 'repeat', 'recovery', 'no_data']).describe('`no_data`: a subject with a firing message out is no longer measured (it stays firing)'),
      status,
      since: isoTime(),
      createdAt: isoTime(),
      headline: z.string(),
      silencedBy: int().nullable().describe('The silence that kept it from being sent'),
      deliveries: z.array(z.object({ channel: z.string(), state: z.enum(['pending', 'sent', 'failed']), attempts: int(), lastError: z.string().nullable() })),
    }),
  ),
});

export const SilenceSchema = z.object({
  id: int(),
  kind: z.enum(['outcome', 'pillar', 'indicator', 'rule']),
  target: z.string().describe('The id silenced, or `*`'),
  startsAt: isoTime(),
  endsAt: isoTime(),
  state: z.enum(['active', 'pending', 'expired']),
  reason: z.string(),
  createdBy: z.string().nullable(),
  createdAt: isoTime(),
});

export const NotificationStatusSchema = z
  .object({
    silences: z.array(SilenceSchema).describe('Silences in effect now, soonest end first'),
    quietUntil: isoTime().nullable().describe('When the quiet hours in effect now end; null outside quiet hours'),
    channels: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['email', 'webhook', 'alertmanager']),
        failing: z.boolean().describe('Its last delivery attempt failed'),
        consecutiveFailures: int().describe('Failed attempts since its last success'),
        failingSince: isoTime().nullable().describe('When the first of those failed attempts was made'),
        lastAttemptAt: isoTime().nullable(),
        lastSuccessAt: isoTime().nullable(),
        lastError: z.string().nullable(),
        pending: int().describe('Deliveries waiting: a retry, or quiet hours'),
        failed: int().describe('Deliveries given up after the last retry'),
      }),
    ),
    silenced: z
      .array(z.object({ kind: z.enum(['outcome', 'pillar', 'indicator']), id: z.string(), silence: int().describe('The silence that covers it') }))
      .describe('Outcomes, pillars and indicators no message would be sent about now'),
  })
  .nullable()
  .describe('Notifications (docs/notifications.md): null when the workload has no notifications section');

export const SilenceListSchema = z.object({ silences: z.array(SilenceSchema) });

export const SilenceBodySchema = z.strictObject({
  outcome: z.string().optional().describe('An outcome id, or `*`'),
  pillar: z.string().optional().describe('A pillar, or `*`'),
  indicator: z.string().optional().describe('An indicator id, or `*`'),
  rule: z.string().optional().describe('A notification rule id, or `*`'),
  for: z.string().optional().describe('How long, e.g. `2h` (or give `until`)'),
  until: z.string().optional().describe('Until when, RFC 3339 with a zone'),
  reason: z.string().describe('Why (required)'),
  by: z.string().optional().describe('Who silenced it'),
});

const tag = 'notifications';

export const notificationRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/notifications',
    summary: 'The newest notification messages (up to `limit`, default 50), each with its delivery state per channel',
    tag,
    scope: 'read',
    query: z.object({ limit: z.string().regex(/^\d+$/, { message: 'must be a whole number' }).optional().describe('1–500, default 50') }),
    responses: { 200: json(NotificationListSchema), ...problems(400) },
  }),
  route({
    method: 'get',
    path: '/api/silences',
    summary: 'Silences not yet ended (with `all=true`, every one)',
    tag,
    scope: 'read',
    query: z.object({ all: z.enum(['true', 'false']).optional().describe('Include expired silences') }),
    responses: { 200: json(SilenceListSchema), ...problems(400) },
  }),
  route({
    method: 'post',
    path: '/api/silences',
    summary: 'Silence the notifications about one outcome, pillar or indicator (`*` for all of a kind), or of a rule, from now `for` a duration or `until` a time. Needs write scope.',
    tag,
    scope: 'write',
    body: { required: true, content: { 'application/json': SilenceBodySchema } },
    responses: { 201: json(SilenceSchema, 'Created'), ...problems(400, 415) },
  }),
  route({
    method: 'delete',
    path: '/api/silences/{id}',
    summary: 'Expire a silence now. Needs write scope.',
    tag,
    scope: 'write',
    params: z.object({ id: z.string().regex(/^\d+$/, { message: 'must be a silence id (a number)' }).describe('The silence id') }),
    responses: { 200: json(SilenceSchema), ...problems(400, 404) },
  }),
];
