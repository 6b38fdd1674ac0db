import { Router } from 'express';
import { EVENT_KINDS, type EventKind } from '../../../collectors/types.js';
import { annotationOf } from '../../events/annotations.js';
import { parseEventsBody, toApiEvent } from '../../events/schema.js';
import type { EventFilter } from '../../events/types.js';
import { InvalidEventError } from '../../../collectors/event-shape.js';
import type { AppDeps } from '../deps.js';
import { badParam, Problem } from '../problem.js';
import { requireScope } from '../auth.js';
import { parseTime } from '../timeRange.js';
import { answer } from '../contract/route.js';
import { EventListSchema, EventsPostedSchema } from '../contract/events.js';

const DAY = 86_400_000;

/**
 * Operational events: POST /api/events (write scope; one event or an atomic batch),
 * GET /api/events (filtered list) and GET /api/annotations (deployments and incidents as
 * time-chart markers). The body format and its checks live in server/events/schema.ts.
 */
export function eventRoutes(deps: AppDeps): Router {
  const r = Router();
  const now = () => deps.clock.now();

  r.post('/api/events', requireScope('write', deps), async (req, res) => {
    if (req.body === undefined) {
      throw new Problem(415, 'unsupported-media-type', 'Unsupported media type', 'send the events as JSON with Content-Type: application/json', [
        { name: 'Content-Type', in: 'header', message: 'expected application/json' },
      ]);
    }
    const parsed = parseEventsBody(req.body, now());
    if (!parsed.ok) {
      const [first, ...rest] = parsed.issues;
      throw new Problem(
        400,
        'invalid-event',
        parsed.issues.length > 1 ? 'Invalid events' : 'Invalid event',
        `${first!.name}: ${first!.message}${rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : ''}; nothing was stored`,
        parsed.issues.map((i) => ({ name: i.name, in: 'body' as const, message: i.message })),
      );
    }
    let result: Awaited<ReturnType<AppDeps['events']['upsertEvents']>>;
    try {
      result = await deps.events.upsertEvents(parsed.events);
    } catch (err) {
      if (err instanceof InvalidEventError) {
        const name = parsed.batch ? `events[${err.index}]` : 'body';
        throw new Problem(400, 'invalid-event', 'Invalid event', `${name}: ${err.message}; nothing was stored`, [{ name, in: 'body', message: err.message }]);
      }
      throw err;
    }
    const body = answer(EventsPostedSchema, {
      received: parsed.events.length,
      inserted: result.inserted,
      updated: result.updated,
      skipped: result.skipped ?? 0,
    });
    if (!parsed.batch) {
      const e = parsed.events[0]!;
      const stored = await deps.events.getEvent(e.source, e.externalId);
      if (stored) body.event = toApiEvent(stored);
    }
    res.json(body);
  });

  r.get('/api/events', async (req, res) => {
    const t = now();
    const q = req.query as Record<string, unknown>;
    const limit = intParam('limit', q.limit, 500, 1, 5000);
    const order = q.order === undefined ? 'desc' : q.order;
    if (order !== 'asc' && order !== 'desc') throw badParam('order', 'must be asc or desc');
    const filter: EventFilter = { order, limit: limit + 1 };
    const kinds = kindsParam(q.kind);
    if (kinds) filter.kind = kinds;
    for (const key of ['service', 'environment', 'source'] as const) {
      const v = q[key];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v === '') throw badParam(key, 'expected a non-empty string');
      filter[key] = v;
    }
    if (q.from !== undefined) filter.from = parseTime('from', q.from, t);
    if (q.to !== undefined) filter.to = parseTime('to', q.to, t);
    if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) throw badParam('from', 'must not be after to');
    const events = await deps.events.listEvents(filter);
    const truncated = events.length > limit;
    res.json(answer(EventListSchema, { events: events.slice(0, limit).map(toApiEvent), truncated }));
  });

  r.get('/api/annotations', async (req, res) => {
    const t = now();
    const q = req.query as Record<string, unknown>;
    const to = q.to === undefined ? t : parseTime('to', q.to, t);
    const from = q.from === undefined ? to - DAY : parseTime('from', q.from, t);
    if (from > to) throw badParam('from', 'must not be after to');
    const limit = intParam('limit', q.limit, 1000, 1, 5000);
    const filter: EventFilter = { kind: kindsParam(q.kind) ?? ['deployment', 'incident'], from, to, overlaps: true, order: 'desc', limit };
    if (q.service !== undefined) {
      if (typeof q.service !== 'string' || q.service === '') throw badParam('service', 'expected a non-empty string');
      filter.service = q.service;
    }
    // Newest first under the limit, then oldest first for drawing.
    res.json((await deps.events.listEvents(filter)).reverse().map(annotationOf));
  });

  return r;
}

function kindsParam(raw: unknown): EventKind[] | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw === '') throw badParam('kind', `expected one or more of ${EVENT_KINDS.join(', ')}, comma-separated`);
  const kinds = raw.split(',').map((k) => k.trim());
  for (const k of kinds) {
    if (!(EVENT_KINDS as readonly string[]).includes(k)) throw badParam('kind', `unknown kind "${k}"; expected one of ${EVENT_KINDS.join(', ')}`);
  }
  return kinds as EventKind[];
}

function intParam(name: string, raw: unknown, dflt: number, min: number, max: number): number {
  if (raw === undefined) return dflt;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw badParam(name, `must be an integer from ${min} to ${max}`);
  return n;
}
