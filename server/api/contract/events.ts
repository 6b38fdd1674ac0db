import { z } from 'zod';
import { EVENT_KINDS } from '../../../collectors/types.js';
import { apiEventSchema, MAX_BATCH } from '../../events/schema.js';
import { webhookProviders, type AnyWebhookProvider } from '../../webhooks/index.js';
import { digits, int, isoTime, json, param, problem, problems, route, type RouteSpec } from './route.js';

/** Operational events, annotations and the provider webhooks (routes/events.ts, routes/webhooks.ts; docs/events.md). */

const KindSchema = z.enum(EVENT_KINDS);
const when = z
  .union([isoTime(), z.number()])
  .describe('RFC 3339 with an offset, or Unix seconds; not before 2000 nor more than a day ahead');

/**
 * The body of POST /api/events as documented: apiEventSchema (what the route parses) with the
 * times it checks after parsing, against the clock, written out.
 */
export const EventSchema = apiEventSchema.extend({ start: when, end: when.optional() }).meta({ id: 'Event' });

export const StoredEventSchema = z
  .object({
    source: z.string(),
    id: z.string().describe('The external id: with source, what makes a delivery idempotent'),
    kind: KindSchema,
    service: z.string().optional(),
    environment: z.string().optional(),
    start: isoTime(),
    end: isoTime().optional(),
    status: z.string().optional(),
    title: z.string().optional(),
    links: z
      .object({
        commits: z.array(z.object({ sha: z.string(), at: isoTime().optional() })).optional(),
        deployment: z.string().optional().describe('The deployment this incident follows: its id, or "source:id"'),
        incident: z.string().optional().describe('The incident this review or action item belongs to'),
        url: z.string().optional(),
      })
      .optional(),
    attributes: z.record(z.string(), z.unknown()).optional().describe('Free attributes; conventions in docs/events.md'),
    receivedAt: isoTime(),
    updatedAt: isoTime(),
  })
  .meta({ id: 'StoredEvent' });

export const AnnotationSchema = z
  .object({
    time: isoTime(),
    timeEnd: isoTime().optional(),
    kind: KindSchema,
    title: z.string(),
    service: z.string().nullable(),
    link: z.string().nullable(),
    status: z.string().nullable(),
    environment: z.string().nullable(),
    source: z.string(),
    id: z.string(),
  })
  .meta({ id: 'Annotation' });

export const EventListSchema = z.object({ events: z.array(StoredEventSchema), truncated: z.boolean() });
export const EventsPostedSchema = z.object({
  received: int(),
  inserted: int(),
  updated: int(),
  skipped: int(),
  event: StoredEventSchema.optional().describe('The stored event, when one (not a batch) was posted'),
});

const kinds = (description: string) => param(description, z.string().min(1)).optional();
const nonEmpty = (description: string) => param(description, z.string().min(1, { message: 'expected a non-empty string' })).optional();

const tag = 'events';

export const WebhookRecordedSchema = z.object({
  inserted: int(),
  updated: int(),
  skipped: int(),
  events: z.array(z.object({ kind: KindSchema, source: z.string(), id: z.string() })),
});
export const WebhookIgnoredSchema = z.object({ ignored: z.string() });

function webhookRoute(provider: AnyWebhookProvider): RouteSpec {
  const d = provider.describe;
  return route({
    method: 'post',
    path: `/api/webhooks/${provider.name}`,
    summary: `${d.title} webhook: ${d.records}. Authenticated by ${d.signatureHeader}, not a token; 404 when not configured.`,
    tag,
    scope: 'webhook',
    headers: z.object({ [d.signatureHeader]: z.string().describe("The provider's signature or secret token.") }),
    body: { required: true, content: { 'application/json': z.record(z.string(), z.unknown()) }, parsedBy: 'route' },
    responses: {
      200: json(WebhookRecordedSchema, 'Recorded'),
      202: json(WebhookIgnoredSchema, 'Accepted and ignored: nothing stored, the reason given'),
      ...problems(400, 404, 413, 429),
      401: problem('The signature or token is missing or does not match; nothing stored.'),
      503: problem('No workload loaded yet, or too many unauthenticated bodies are being read at once (Retry-After).'),
    },
  });
}

export const eventRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/events',
    summary: 'Operational events, newest first by default',
    tag,
    scope: 'read',
    query: z.object({
      kind: kinds('One or more kinds, comma-separated'),
      service: nonEmpty('Only this service'),
      environment: nonEmpty('Only this environment'),
      source: nonEmpty('Only this source (api, github, gitlab, pagerduty, a collector…)'),
      from: param('Started at or after: RFC 3339, Unix seconds, `now-<duration>`').optional(),
      to: param('Started at or before, same forms').optional(),
      order: param('desc (default) or asc by start', z.enum(['asc', 'desc'])).optional(),
      limit: digits('At most this many (1–5000, default 500)'),
    }),
    responses: { 200: json(EventListSchema), ...problems(400) },
  }),
  route({
    method: 'post',
    path: '/api/events',
    summary: `Record one event, or a batch \`{ "events": [...] }\` of up to ${MAX_BATCH} (atomic: one bad item rejects all). Idempotent by (source, id). Needs write scope.`,
    tag,
    scope: 'write',
    body: {
      required: true,
      content: { 'application/json': z.union([EventSchema, z.object({ events: z.array(EventSchema).min(1).max(MAX_BATCH) })]) },
      parsedBy: 'route', // parseEventsBody, with apiEventSchema
    },
    responses: {
      200: json(EventsPostedSchema),
      ...problems(400, 413, 415),
    },
  }),
  route({
    method: 'get',
    path: '/api/annotations',
    summary: 'Deployments and incidents (or the kinds asked for) as time-chart annotations, oldest first; incidents still open at `from` are included',
    tag,
    scope: 'read',
    query: z.object({
      from: param('Start (default to − 24 h)').optional(),
      to: param('End (default now)').optional(),
      service: nonEmpty('Only this service'),
      kind: kinds('Kinds, comma-separated (default deployment,incident)'),
      limit: digits('At most this many, the newest (1–5000, default 1000)'),
    }),
    responses: { 200: json(z.array(AnnotationSchema)), ...problems(400) },
  }),
  ...webhookProviders.map(webhookRoute),
];
