import { isHttpUrl } from './config-schemas.js';
import { EVENT_KINDS, type EventKind, type OperationalEvent } from './types.js';

/** Thrown by the store for an event that can't be stored; nothing of its batch was written. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(
    readonly index: number,
    readonly field: string,
    reason: string,
  ) {
    super(`event ${index}: ${field}: ${reason}`);
  }
}

const KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);
export const isEventKind = (k: unknown): k is EventKind => typeof k === 'string' && KINDS.has(k);

/**
 * The shape every stored event must have, whoever produced it (API, webhook, collector):
 * the field at fault and why, or undefined when the event is fine. Semantic limits on times
 * (not before 2000, not in the future) belong to the API's edge (schema.ts), not here:
 * a collector replaying history must not be refused by the clock.
 */
export function eventFault(e: OperationalEvent): { field: string; reason: string } | undefined {
  if (e === null || typeof e !== 'object') return { field: '(event)', reason: 'not an object' };
  if (!isEventKind(e.kind)) return { field: 'kind', reason: `"${String(e.kind)}" is not one of ${EVENT_KINDS.join(', ')}` };
  if (typeof e.source !== 'string' || e.source === '') return { field: 'source', reason: 'must be a non-empty string' };
  if (typeof e.externalId !== 'string' || e.externalId === '') return { field: 'externalId', reason: 'must be a non-empty string' };
  if (!Number.isFinite(e.startedAt)) return { field: 'startedAt', reason: 'must be a finite number (ms epoch)' };
  if (e.endedAt !== undefined && !Number.isFinite(e.endedAt)) return { field: 'endedAt', reason: 'must be a finite number (ms epoch)' };
  if (e.endedAt !== undefined && e.endedAt < e.startedAt) return { field: 'endedAt', reason: 'is before startedAt' };
  for (const key of ['service', 'environment', 'status', 'title'] as const) {
    if (e[key] !== undefined && typeof e[key] !== 'string') return { field: key, reason: 'must be a string' };
  }
  if (e.attrs !== undefined && (e.attrs === null || typeof e.attrs !== 'object' || Array.isArray(e.attrs))) {
    return { field: 'attrs', reason: 'must be an object' };
  }
  // Links are returned to every reader and rendered as links: http(s) only.
  if (e.attrs?.url !== undefined && !isHttpUrl(e.attrs.url)) return { field: 'attrs.url', reason: 'must be an absolute http(s) URL' };
  return undefined;
}

/**
 * The event without a link that is not http(s). For events mapped from a provider's payload,
 * where the URL is whatever a user typed (a GitHub deployment's `target_url`): the event is
 * kept, the unsafe link is not.
 */
export function withoutUnsafeLink(e: OperationalEvent): OperationalEvent {
  if (e.attrs?.url === undefined || isHttpUrl(e.attrs.url)) return e;
  const { url: _dropped, ...attrs } = e.attrs;
  return { ...e, attrs };
}
