import { z } from 'zod';
import type { OperationalEvent } from '../../collectors/types.js';
import type { OperationsSettings } from '../events/types.js';
import { defined, optionalText, read, time } from './payload.js';
import { checkPagerdutySignature, checkPagerdutySignatureHeader } from './verify.js';
import type { WebhookProvider } from './types.js';

/**
 * PagerDuty v3 webhook subscriptions: every `incident.*` event whose data is the incident
 * (triggered, acknowledged, unacknowledged, resolved, reopened, escalated, priority_updated…)
 * upserts the incident by its id; `incident.resolved` ends it at the event's `occurred_at`.
 * Events about notes, responders or services are ignored. Deliveries may arrive out of order:
 * `occurred_at` is the event's observedAt, so a late "acknowledged" cannot reopen a resolution.
 */

type Config = NonNullable<OperationsSettings['webhooks']['pagerduty']>;

const envelope = z.looseObject({
  event: z.looseObject({
    event_type: z.string(),
    resource_type: optionalText,
    occurred_at: time,
    data: z.unknown(),
  }),
});

const incident = z.looseObject({
  id: z.string().min(1),
  type: z.literal('incident'),
  status: z.string(),
  title: optionalText,
  html_url: optionalText,
  number: z.number().int().optional(),
  urgency: optionalText,
  created_at: time,
  service: z.looseObject({ summary: z.string().min(1) }),
  priority: z.looseObject({ summary: optionalText }).nullish(),
});

export const pagerduty: WebhookProvider<Config> = {
  name: 'pagerduty',
  describe: { title: 'PagerDuty', signatureHeader: 'X-PagerDuty-Signature', records: 'v3 incident events' },
  config: (settings) => settings.webhooks.pagerduty,
  verifyHeaders(headers) {
    const raw = headers['x-pagerduty-signature'];
    const reason = checkPagerdutySignatureHeader(Array.isArray(raw) ? raw.join(',') : raw);
    return reason === undefined ? undefined : { header: 'X-PagerDuty-Signature', reason };
  },
  verify(body, headers, config) {
    const raw = headers['x-pagerduty-signature'];
    const reason = checkPagerdutySignature(body, Array.isArray(raw) ? raw.join(',') : raw, config.secret);
    return reason === undefined ? undefined : { header: 'X-PagerDuty-Signature', reason };
  },
  async map(payload, _headers, _config, ctx) {
    // What decides use (the event type and the type of its data) is read first: an event that
    // is ignored is 202 whatever else it carries or lacks.
    const head = read(z.looseObject({ event: z.looseObject({ event_type: z.string(), data: z.unknown().optional() }) }), payload).event;
    const type = head.event_type;
    if (type === 'pagey.ping') return { ignored: 'ping: the webhook subscription is set up' };
    const data = (head.data ?? null) as { type?: unknown } | null;
    if (!type.startsWith('incident.') || data === null || typeof data !== 'object' || data.type !== 'incident') {
      return { ignored: `PagerDuty event "${type}" does not carry an incident's state` };
    }
    const { event } = read(envelope, payload);
    const i = read(z.looseObject({ event: z.looseObject({ data: incident }) }), payload).event.data;
    const resolved = i.status === 'resolved';
    // Only the resolve event says when the incident was resolved; a later event on a resolved
    // incident (a priority change) keeps the recorded end.
    const endedAt = !resolved
      ? undefined
      : type === 'incident.resolved'
        ? event.occurred_at
        : ((await ctx.lookup(i.id))?.endedAt ?? event.occurred_at);
    const e: OperationalEvent = {
      kind: 'incident',
      source: 'pagerduty',
      externalId: i.id,
      service: i.service.summary,
      startedAt: i.created_at,
      status: i.status,
      attrs: defined({
        severity: i.priority?.summary ?? undefined,
        urgency: i.urgency,
        number: i.number,
        url: i.html_url,
        observedAt: event.occurred_at,
      }),
    };
    if (i.title !== undefined) e.title = i.title;
    if (endedAt !== undefined) e.endedAt = Math.max(endedAt, i.created_at);
    return { events: [e] };
  },
};
