import type Database from 'better-sqlite3';
import type { OperationalEvent } from '../../collectors/types.js';
import type { Db } from '../store/db.js';
import type { EventFilter, EventReader, EventWriter, StoredEvent } from './types.js';
import { eventFault, InvalidEventError } from '../../collectors/event-shape.js';

type Row = [
  id: number,
  kind: string,
  source: string,
  externalId: string,
  service: string | null,
  environment: string | null,
  startedAt: number,
  endedAt: number | null,
  status: string | null,
  title: string | null,
  attrs: string | null,
  receivedAt: number,
  updatedAt: number,
];
const COLS = 'id, kind, source, external_id, service, environment, started_at, ended_at, status, title, attrs, received_at, updated_at';

function toEvent(r: Row): StoredEvent {
  const e: StoredEvent = { id: r[0], kind: r[1] as StoredEvent['kind'], source: r[2], externalId: r[3], startedAt: r[6], receivedAt: r[11], updatedAt: r[12] };
  if (r[4] !== null) e.service = r[4];
  if (r[5] !== null) e.environment = r[5];
  if (r[7] !== null) e.endedAt = r[7];
  if (r[8] !== null) e.status = r[8];
  if (r[9] !== null) e.title = r[9];
  if (r[10] !== null) e.attrs = JSON.parse(r[10]) as Record<string, unknown>;
  return e;
}

/** An ongoing incident's end, for overlap queries (far beyond any real time). */
const OPEN_END = 8.64e15;

/**
 * The only module that reads or writes the `events` table (migrations/0004_events.sql).
 *
 * Contract:
 * - `upsertEvents` is one transaction: every event of the batch is stored or none is. An event
 *   that fails `eventFault` throws InvalidEventError naming its index before anything is written.
 * - Idempotent by (source, externalId): a repeat delivery replaces the stored fields whole
 *   (the last delivery wins) and keeps `id` and `receivedAt`; `updatedAt` becomes now. A delivery
 *   whose `attrs.observedAt` is older than the stored one's is skipped (out-of-order webhooks).
 * - Called inside another transaction (a collector run), it joins it as a savepoint.
 */
export class EventStore implements EventReader, EventWriter {
  private readonly find: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly update: Database.Statement;
  private readonly byKey: Database.Statement;
  private readonly serviceList: Database.Statement;
  private readonly queries = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    /** Told whether each write succeeded (a full disk), so readiness follows the truth. */
    private readonly health?: { observe<T>(write: () => T): T },
  ) {
    this.find = db.prepare('SELECT id, observed_at FROM events WHERE source = ? AND external_id = ?').raw();
    this.insert = db.prepare(
      `INSERT INTO events (source, external_id, kind, service, environment, started_at, ended_at, status, title, attrs, observed_at, received_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.update = db.prepare(
      `UPDATE events SET kind = ?, service = ?, environment = ?, started_at = ?, ended_at = ?, status = ?, title = ?, attrs = ?,
         observed_at = ?, updated_at = ? WHERE id = ?`,
    );
    this.byKey = db.prepare(`SELECT ${COLS} FROM events WHERE source = ? AND external_id = ?`).raw();
    this.serviceList = db.prepare('SELECT DISTINCT service FROM events WHERE service IS NOT NULL ORDER BY service').pluck();
  }

  upsertEvents(events: readonly OperationalEvent[]): { inserted: number; updated: number; ids: number[]; skipped: number } {
    events.forEach((e, i) => {
      const fault = eventFault(e);
      if (fault) throw new InvalidEventError(i, fault.field, fault.reason);
    });
    const now = Math.round(this.now());
    const run = () => {
      let inserted = 0;
      let updated = 0;
      let skipped = 0;
      const ids: number[] = new Array<number>(events.length);
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        const attrs = e.attrs && Object.keys(e.attrs).length > 0 ? JSON.stringify(e.attrs) : null;
        const observed = observedAt(e);
        const started = Math.round(e.startedAt);
        const ended = e.endedAt === undefined ? null : Math.round(e.endedAt);
        const existing = this.find.get(e.source, e.externalId) as [number, number | null] | undefined;
        if (existing === undefined) {
          const info = this.insert.run(
            e.source, e.externalId, e.kind, e.service ?? null, e.environment ?? null, started, ended,
            e.status ?? null, e.title ?? null, attrs, observed, now, now,
          );
          ids[i] = Number(info.lastInsertRowid);
          inserted++;
        } else if (observed !== null && existing[1] !== null && observed < existing[1]) {
          ids[i] = existing[0];
          skipped++;
        } else {
          this.update.run(
            e.kind, e.service ?? null, e.environment ?? null, started, ended, e.status ?? null, e.title ?? null, attrs,
            observed ?? existing[1], now, existing[0],
          );
          ids[i] = existing[0];
          updated++;
        }
      }
      return { inserted, updated, ids, skipped };
    };
    // Inside a caller's transaction better-sqlite3 uses a savepoint; on its own, IMMEDIATE
    // takes the write lock up front instead of failing to upgrade a read lock mid-batch.
    if (this.db.inTransaction) return this.db.transaction(run)();
    const write = () => this.db.transaction(run).immediate();
    return this.health ? this.health.observe(write) : write();
  }

  getEvent(source: string, externalId: string): StoredEvent | undefined {
    const r = this.byKey.get(source, externalId) as Row | undefined;
    return r && toEvent(r);
  }

  services(): string[] {
    return this.serviceList.all() as string[];
  }

  listEvents(filter: EventFilter): StoredEvent[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const kinds = filter.kind === undefined ? [] : Array.isArray(filter.kind) ? [...new Set(filter.kind)] : [filter.kind];
    if (Array.isArray(filter.kind) && kinds.length === 0) return [];
    if (kinds.length === 1) where.push('kind = ?');
    else if (kinds.length > 1) where.push(`kind IN (${kinds.map(() => '?').join(', ')})`);
    args.push(...kinds);
    for (const [col, value] of [['service', filter.service], ['environment', filter.environment], ['source', filter.source]] as const) {
      if (value !== undefined) {
        where.push(`${col} = ?`);
        args.push(value);
      }
    }
    if (filter.to !== undefined) {
      where.push('started_at <= ?');
      args.push(Math.floor(filter.to));
    }
    if (filter.from !== undefined) {
      if (filter.overlaps) {
        // Started within the range, or started earlier and still running at `from`.
        where.push(`(started_at >= ? OR coalesce(ended_at, CASE WHEN kind = 'incident' THEN ${OPEN_END} END) >= ?)`);
        args.push(Math.ceil(filter.from), Math.ceil(filter.from));
      } else {
        where.push('started_at >= ?');
        args.push(Math.ceil(filter.from));
      }
    }
    const dir = filter.order === 'desc' ? 'DESC' : 'ASC';
    let sql = `SELECT ${COLS} FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at ${dir}, id ${dir}`;
    if (filter.limit !== undefined) {
      sql += ' LIMIT ?';
      args.push(Math.max(0, Math.floor(filter.limit)));
    }
    return (this.statement(sql).all(...args) as Row[]).map(toEvent);
  }

  /** Prepared statements by SQL text: filters have few shapes, so the cache stays small. */
  private statement(sql: string): Database.Statement {
    let s = this.queries.get(sql);
    if (!s) {
      s = this.db.prepare(sql).raw();
      if (this.queries.size < 256) this.queries.set(sql, s);
    }
    return s;
  }
}

function observedAt(e: OperationalEvent): number | null {
  const v = e.attrs?.observedAt;
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null;
}
