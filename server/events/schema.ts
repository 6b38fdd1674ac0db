import { z } from 'zod';
import { EVENT_KINDS, type EventKind, type OperationalEvent } from '../../collectors/types.js';
import { convertZodIssues } from '../validation/zod-issues.js';
import { formatPath, type Path } from '../validation/path.js';
import type { StoredEvent } from './types.js';
import { httpUrl } from '../../collectors/config-schemas.js';
import { tooDeep } from './jsonDepth.js';

/**
 * An event as the HTTP API and `pillarboard event add` take it (JSON), and its mapping to the
 * stored OperationalEvent. Validation happens here, once, at the edge: every problem names
 * its field (`events[3].end`), so a pipeline author can fix the payload from the answer alone.
 */

/** At most this many events per POST; larger imports are split by the client. */
export const MAX_BATCH = 1000;
/** Times before this are refused as implausible (a unit mix-up, a zero value). */
export const EARLIEST_TIME = Date.UTC(2000, 0, 1);
/** Times later than now plus this are refused (clock skew tolerance; scheduled game days). */
export const MAX_FUTURE_MS = 86_400_000;

/** `attributes` nests at most this deep and serialises to at most this many characters. */
export const MAX_ATTRIBUTES_DEPTH = 8;
export const MAX_ATTRIBUTES_CHARS = 16_384;

/** Keys of `attributes` that have a dedicated place in `links`. */
const LINK_KEYS = ['commits', 'deployment', 'incident', 'url'] as const;

const text = (max: number) =>
  z.string().min(1, { message: 'must not be empty' }).max(max, { message: `must be at most ${max} characters` });

const kindSchema = z.enum(EVENT_KINDS, {
  error: (iss) =>
    iss.input === undefined
      ? `missing required key "kind" (one of ${EVENT_KINDS.join(', ')})`
      : `unknown kind ${JSON.stringify(iss.input)}; expected one of ${EVENT_KINDS.join(', ')}`,
});

const commitSchema = z.strictObject({
  sha: z.string().regex(/^[0-9a-fA-F]{7,64}$/, { message: 'must be a commit SHA (7 to 64 hex digits)' }),
  at: z.unknown().optional().describe('commit time: RFC 3339 or Unix seconds'),
});

/** Attribute keys that DORA and the principle series read are type-checked; others pass as they are. */
const attributesSchema = z.looseObject({
  linesChanged: z.number().nonnegative({ message: 'must be a number ≥ 0' }).optional(),
  trigger: z.enum(['pipeline', 'manual']).optional(),
  rollback: z.boolean().optional(),
  rollbackPlan: z.boolean().optional(),
  revertOf: z.string().optional(),
  cause: z.string().optional(),
  severity: z.string().optional(),
  findings: z.union([z.number(), z.array(z.string())]).optional(),
  observedAt: z.unknown().optional(),
});

export const apiEventSchema = z.strictObject({
  kind: kindSchema,
  source: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { message: 'must be lowercase letters, digits, ".", "_" or "-" (at most 64)' })
    .default('api'),
  id: text(256),
  service: text(200).optional(),
  environment: text(100).optional(),
  // Required; checked after parsing with the clock (parseEventTime), like `end`.
  start: z.unknown().optional(),
  end: z.unknown().optional(),
  status: text(64).optional(),
  title: text(500).optional(),
  links: z
    .strictObject({
      commits: z.array(commitSchema).max(1000, { message: 'at most 1000 commits' }).optional(),
      deployment: text(300).optional(),
      incident: text(300).optional(),
      // Returned to every API reader and linked from the dashboard: http(s) only, never javascript: or data:.
      url: httpUrl.optional(),
    })
    .optional(),
  attributes: attributesSchema.optional(),
});
export type ApiEvent = z.input<typeof apiEventSchema>;

/** A problem with the request body: `name` is the field's path (`events[3].kind`). */
export interface BodyIssue {
  name: string;
  message: string;
}

export type ParseResult = { ok: true; events: OperationalEvent[]; batch: boolean } | { ok: false; issues: BodyIssue[] };

const MAX_ISSUES = 20;
const MISSING_START = 'missing required key "start" (an RFC 3339 time or Unix seconds)';

/**
 * The body of POST /api/events: one event object, or `{ "events": [ ... ] }` (1 to MAX_BATCH).
 * A batch is all or nothing, so one bad item fails the whole body and is named by index.
 */
export function parseEventsBody(body: unknown, now: number): ParseResult {
  if (Array.isArray(body) || body === null || typeof body !== 'object') {
    return fail('body', 'expected one event object, or {"events": [ ... ]}');
  }
  if (!('events' in body)) {
    const r = parseApiEvent(body, now, []);
    return 'event' in r ? { ok: true, events: [r.event], batch: false } : { ok: false, issues: r.issues };
  }
  const extra = Object.keys(body).filter((k) => k !== 'events');
  if (extra.length) return fail(extra[0]!, `unknown key "${extra[0]}"; a batch is {"events": [ ... ]} alone`);
  const list = (body as { events: unknown }).events;
  if (!Array.isArray(list)) return fail('events', 'expected a list of events');
  if (list.length === 0) return fail('events', 'the batch is empty');
  if (list.length > MAX_BATCH) return fail('events', `the batch has ${list.length} events; at most ${MAX_BATCH} are allowed per request`);
  const events: OperationalEvent[] = new Array<OperationalEvent>(list.length);
  const issues: BodyIssue[] = [];
  for (let i = 0; i < list.length && issues.length < MAX_ISSUES; i++) {
    const r = parseApiEvent(list[i], now, ['events', i]);
    if ('event' in r) events[i] = r.event;
    else issues.push(...r.issues);
  }
  return issues.length ? { ok: false, issues: issues.slice(0, MAX_ISSUES) } : { ok: true, events, batch: true };
}

/** One API event → OperationalEvent, or its issues with paths under `prefix`. */
export function parseApiEvent(input: unknown, now: number, prefix: Path = []): { event: OperationalEvent } | { issues: BodyIssue[] } {
  const issues: BodyIssue[] = [];
  const add = (path: Path, message: string) => issues.push({ name: formatPath([...prefix, ...path]) || 'body', message });
  // Bounded before anything walks or serialises them (a document thousands deep overflowed the stack).
  const attributes = (input as { attributes?: unknown } | null)?.attributes;
  if (attributes !== undefined && attributes !== null && typeof attributes === 'object') {
    if (tooDeep(attributes, MAX_ATTRIBUTES_DEPTH)) {
      add(['attributes'], `nests deeper than ${MAX_ATTRIBUTES_DEPTH} levels`);
      return { issues };
    }
    const chars = JSON.stringify(attributes).length;
    if (chars > MAX_ATTRIBUTES_CHARS) {
      add(['attributes'], `is ${chars} characters as JSON; at most ${MAX_ATTRIBUTES_CHARS} are allowed`);
      return { issues };
    }
  }
  const parsed = apiEventSchema.safeParse(input);
  if (!parsed.success) {
    for (const i of convertZodIssues(parsed.error.issues, { input, prefix })) issues.push({ name: formatPath(i.path) || 'body', message: i.message });
    if (input !== null && typeof input === 'object' && (input as { start?: unknown }).start === undefined) add(['start'], MISSING_START);
    return { issues };
  }
  const a = parsed.data;
  const time = (path: Path, raw: unknown): number | undefined => {
    const r = parseEventTime(raw, now);
    if (typeof r === 'string') add(path, r);
    return typeof r === 'number' ? r : undefined;
  };
  const startedAt = a.start === undefined ? (add(['start'], MISSING_START), undefined) : time(['start'], a.start);
  const endedAt = a.end === undefined ? undefined : time(['end'], a.end);
  if (startedAt !== undefined && endedAt !== undefined && endedAt < startedAt) {
    add(['end'], `is before start (${new Date(endedAt).toISOString()} < ${new Date(startedAt).toISOString()})`);
  }
  const attrs: Record<string, unknown> = {};
  if (a.attributes) {
    for (const key of LINK_KEYS) {
      if (key in a.attributes) add(['attributes', key], `set it as links.${key}, which is validated`);
    }
    Object.assign(attrs, a.attributes);
    if (a.attributes.observedAt !== undefined) attrs.observedAt = time(['attributes', 'observedAt'], a.attributes.observedAt);
  }
  const links = a.links;
  if (links?.commits) {
    attrs.commits = links.commits.map((c, i) => {
      const commit: { sha: string; at?: number } = { sha: c.sha.toLowerCase() };
      if (c.at !== undefined) commit.at = time(['links', 'commits', i, 'at'], c.at);
      return commit;
    });
  }
  if (links?.deployment !== undefined) attrs.deployment = links.deployment;
  if (links?.incident !== undefined) attrs.incident = links.incident;
  if (links?.url !== undefined) attrs.url = links.url;
  if (issues.length || startedAt === undefined) return { issues };
  const event: OperationalEvent = { kind: a.kind, source: a.source, externalId: a.id, startedAt };
  if (a.service !== undefined) event.service = a.service;
  if (a.environment !== undefined) event.environment = a.environment;
  if (endedAt !== undefined) event.endedAt = endedAt;
  if (a.status !== undefined) event.status = a.status;
  if (a.title !== undefined) event.title = a.title;
  if (Object.keys(attrs).length) event.attrs = attrs;
  return { event };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An event time: RFC 3339 with an offset (`2026-11-26T09:00:00Z`) or Unix seconds (a number or
 * a numeric string, fractions allowed). Returns ms epoch, or the reason it is refused —
 * including implausible times: before 2000, or more than a day after `now`.
 */
export function parseEventTime(raw: unknown, now: number): number | string {
  let ms: number;
  if (typeof raw === 'number' || (typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw))) {
    ms = Math.round(Number(raw) * 1000);
    if (!Number.isFinite(ms)) return `${JSON.stringify(raw)} is not a valid Unix time`;
  } else if (typeof raw === 'string') {
    if (!RFC3339.test(raw)) return `${JSON.stringify(raw)} is neither RFC 3339 with an offset (2026-11-26T09:00:00Z) nor Unix seconds`;
    ms = Date.parse(raw.replace(' ', 'T'));
    if (Number.isNaN(ms)) return `${JSON.stringify(raw)} is not a valid date`;
  } else {
    return 'expected an RFC 3339 time (string) or Unix seconds (number)';
  }
  if (ms < EARLIEST_TIME) return `${JSON.stringify(raw)} is before 2000-01-01: not a plausible time for an operational event`;
  if (ms > now + MAX_FUTURE_MS) {
    const hint = typeof raw === 'number' && raw > 1e11 ? ' (Unix time is in seconds, not milliseconds)' : '';
    return `${JSON.stringify(raw)} is more than a day in the future${hint}`;
  }
  return ms;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A stored event as the API returns it: the input's shape (times as RFC 3339), plus when it was received and last updated. */
export interface ApiStoredEvent {
  source: string;
  id: string;
  kind: EventKind;
  service?: string;
  environment?: string;
  start: string;
  end?: string;
  status?: string;
  title?: string;
  links?: { commits?: Array<{ sha: string; at?: string }>; deployment?: string; incident?: string; url?: string };
  attributes?: Record<string, unknown>;
  receivedAt: string;
  updatedAt: string;
}

/** The links as stored in `attrs` (checked on the way in: by apiEventSchema, or by a webhook's mapping). */
interface StoredLinks {
  commits?: Array<{ sha: string; at?: number } | null>;
  deployment?: string;
  incident?: string;
  url?: string;
  observedAt?: unknown;
}

export function toApiEvent(e: StoredEvent): ApiStoredEvent {
  const { commits, deployment, incident, url, observedAt, ...rest } = (e.attrs ?? {}) as StoredLinks & Record<string, unknown>;
  const links: NonNullable<ApiStoredEvent['links']> = {};
  if (Array.isArray(commits)) {
    links.commits = commits.map((c) => (c !== null && typeof c === 'object' && typeof c.at === 'number' ? { sha: c.sha, at: iso(c.at) } : { sha: c?.sha as string }));
  }
  if (deployment !== undefined) links.deployment = deployment;
  if (incident !== undefined) links.incident = incident;
  if (url !== undefined) links.url = url;
  const attributes: Record<string, unknown> = rest;
  if (typeof observedAt === 'number') attributes.observedAt = iso(observedAt);
  return {
    source: e.source,
    id: e.externalId,
    kind: e.kind,
    ...(e.service !== undefined ? { service: e.service } : {}),
    ...(e.environment !== undefined ? { environment: e.environment } : {}),
    start: iso(e.startedAt),
    ...(e.endedAt !== undefined ? { end: iso(e.endedAt) } : {}),
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.title !== undefined ? { title: e.title } : {}),
    ...(Object.keys(links).length ? { links } : {}),
    ...(Object.keys(attributes).length ? { attributes } : {}),
    receivedAt: iso(e.receivedAt),
    updatedAt: iso(e.updatedAt),
  };
}

function fail(name: string, message: string): ParseResult {
  return { ok: false, issues: [{ name, message }] };
}
