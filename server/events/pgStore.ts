import type pg from 'pg';
import type { OperationalEvent } from '../../collectors/types.js';
import { eventFault, InvalidEventError } from '../../collectors/event-shape.js';
import { inTransaction } from '../store/pg/pool.js';
import type { EventRepository, UpsertResult } from './backend.js';
import type { EventFilter, StoredEvent } from './types.js';

/**
 * The events table in PostgreSQL (migrations-pg/0002_application.sql), answering as the SQLite
 * EventStore does (test/events-contract.test.ts). The pool must parse bigint as numbers
 * (`storeTypes`, server/store/pg/pool.ts): share the metric store's.
 *
 * A delivery is one `INSERT … ON CONFLICT (source, external_id) DO UPDATE … WHERE` statement, so
 * two replicas receiving the same webhook at once store it once and the older `observedAt`
 * loses whichever commits first. A batch is one transaction; its statements go out together.
 */
interface EventRow {
  id: number;
  kind: string;
  source: string;
  external_id: string;
  service: string | null;
  environment: string | null;
  started_at: number;
  ended_at: number | null;
  status: string | null;
  title: string | null;
  attrs: string | null;
  received_at: number;
  updated_at: number;
}
const COLS = 'id, kind, source, external_id, service, environment, started_at, ended_at, status, title, attrs, received_at, updated_at';

function toEvent(r: EventRow): StoredEvent {
  const e: StoredEvent = {
    id: r.id, kind: r.kind as StoredEvent['kind'], source: r.source, externalId: r.external_id, startedAt: r.started_at,
    receivedAt: r.received_at, updatedAt: r.updated_at,
  };
  if (r.service !== null) e.service = r.service;
  if (r.environment !== null) e.environment = r.environment;
  if (r.ended_at !== null) e.endedAt = r.ended_at;
  if (r.status !== null) e.status = r.status;
  if (r.title !== null) e.title = r.title;
  if (r.attrs !== null) e.attrs = JSON.parse(r.attrs) as Record<string, unknown>;
  return e;
}

/** An ongoing incident's end, for overlap queries (as the SQLite store's). */
const OPEN_END = 8.64e15;

const UPSERT = `INSERT INTO events AS e (source, external_id, kind, service, environment, started_at, ended_at, status, title, attrs, observed_at, received_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
  ON CONFLICT (source, external_id) DO UPDATE SET
    kind = EXCLUDED.kind, service = EXCLUDED.service, environment = EXCLUDED.environment, started_at = EXCLUDED.started_at,
    ended_at = EXCLUDED.ended_at, status = EXCLUDED.status, title = EXCLUDED.title, attrs = EXCLUDED.attrs,
    observed_at = coalesce(EXCLUDED.observed_at, e.observed_at), updated_at = EXCLUDED.updated_at
  WHERE EXCLUDED.observed_at IS NULL OR e.observed_at IS NULL OR EXCLUDED.observed_at >= e.observed_at
  RETURNING id, (xmax = 0) AS inserted`;

export class PgEventStore implements EventRepository {
  readonly backend = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => number,
  ) {}

  async upsertEvents(events: readonly OperationalEvent[]): Promise<UpsertResult> {
    events.forEach((e, i) => {
      const fault = eventFault(e);
      if (fault) throw new InvalidEventError(i, fault.field, fault.reason);
    });
    if (events.length === 0) return { inserted: 0, updated: 0, ids: [], skipped: 0 };
    const now = Math.round(this.now());
    return inTransaction(this.pool, async (client) => {
      // Sent together (one connection answers in order); a repeated key within the batch sees the earlier row.
      const answers = await Promise.all(events.map((e) => client.query<{ id: number; inserted: boolean }>(UPSERT, [
        e.source, e.externalId, e.kind, e.service ?? null, e.environment ?? null, Math.round(e.startedAt),
        e.endedAt === undefined ? null : Math.round(e.endedAt), e.status ?? null, e.title ?? null,
        e.attrs && Object.keys(e.attrs).length > 0 ? JSON.stringify(e.attrs) : null, observedAt(e), now,
      ])));
      let inserted = 0;
      let updated = 0;
      let skipped = 0;
      const ids = new Array<number>(events.length);
      for (let i = 0; i < events.length; i++) {
        const row = answers[i]!.rows[0];
        if (row) {
          ids[i] = row.id;
          if (row.inserted) inserted++;
          else updated++;
          continue;
        }
        // The stored delivery is newer: keep it, answer with its id.
        const e = events[i]!;
        const found = await client.query<{ id: number }>('SELECT id FROM events WHERE source = $1 AND external_id = $2', [e.source, e.externalId]);
        ids[i] = found.rows[0]!.id;
        skipped++;
      }
      return { inserted, updated, ids, skipped };
    });
  }

  async getEvent(source: string, externalId: string): Promise<StoredEvent | undefined> {
    const r = await this.pool.query<EventRow>(`SELECT ${COLS} FROM events WHERE source = $1 AND external_id = $2`, [source, externalId]);
    return r.rows[0] && toEvent(r.rows[0]);
  }

  async services(): Promise<string[]> {
    const r = await this.pool.query<{ service: string }>('SELECT DISTINCT service COLLATE "C" AS service FROM events WHERE service IS NOT NULL ORDER BY 1');
    return r.rows.map((row) => row.service);
  }

  async listEvents(filter: EventFilter): Promise<StoredEvent[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    const kinds = filter.kind === undefined ? [] : Array.isArray(filter.kind) ? [...new Set(filter.kind)] : [filter.kind];
    if (Array.isArray(filter.kind) && kinds.length === 0) return [];
    if (kinds.length === 1) where.push(`kind = ${arg(kinds[0])}`);
    else if (kinds.length > 1) where.push(`kind = ANY(${arg(kinds)}::text[])`);
    for (const [col, value] of [['service', filter.service], ['environment', filter.environment], ['source', filter.source]] as const) {
      if (value !== undefined) where.push(`${col} = ${arg(value)}`);
    }
    if (filter.to !== undefined) where.push(`started_at <= ${arg(Math.floor(filter.to))}`);
    if (filter.from !== undefined) {
      const from = arg(Math.ceil(filter.from));
      // Started within the range, or (overlaps) started earlier and still running at `from`.
      where.push(filter.overlaps
        ? `(started_at >= ${from} OR coalesce(ended_at, CASE WHEN kind = 'incident' THEN ${OPEN_END} END) >= ${from})`
        : `started_at >= ${from}`);
    }
    const dir = filter.order === 'desc' ? 'DESC' : 'ASC';
    let sql = `SELECT ${COLS} FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at ${dir}, id ${dir}`;
    if (filter.limit !== undefined) sql += ` LIMIT ${arg(Math.max(0, Math.floor(filter.limit)))}`;
    const r = await this.pool.query<EventRow>(sql, args);
    return r.rows.map(toEvent);
  }
}

function observedAt(e: OperationalEvent): number | null {
  const v = e.attrs?.observedAt;
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null;
}
