import type { EventKind } from '../../collectors/types.js';
import type { StoredEvent } from '../../server/events/types.js';
import { DEFAULT_DERIVED_SETTINGS, type DerivedSettings } from '../../server/dora/index.js';

/** Builders for hand-made event sets in the DORA tests. Times are ms epoch. */

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** "Now" of every DORA test: 2026-03-01T00:00:00Z. */
export const NOW = Date.UTC(2026, 2, 1);
export const ago = (ms: number) => NOW - ms;

export const SETTINGS: DerivedSettings = { ...DEFAULT_DERIVED_SETTINGS, benchmarkYear: 2023 };

let nextId = 1;

export function event(kind: EventKind, externalId: string, fields: Partial<StoredEvent> & { startedAt: number }): StoredEvent {
  return { kind, source: 'test', externalId, receivedAt: fields.startedAt, updatedAt: fields.startedAt, id: nextId++, ...fields };
}

export function deployment(
  externalId: string,
  service: string | undefined,
  at: number,
  commits: Array<[sha: string, at: number]> = [],
  extra: Partial<StoredEvent> & { attrs?: Record<string, unknown> } = {},
): StoredEvent {
  return event('deployment', externalId, {
    service,
    environment: 'production',
    status: 'success',
    startedAt: at - 5 * MIN,
    endedAt: at,
    ...extra,
    attrs: { commits: commits.map(([sha, t]) => ({ sha, at: t })), ...extra.attrs },
  });
}

export function incident(
  externalId: string,
  service: string | undefined,
  startedAt: number,
  restoredAt?: number,
  attrs: Record<string, unknown> = {},
): StoredEvent {
  return event('incident', externalId, { service, startedAt, endedAt: restoredAt, attrs });
}
