import type Database from 'better-sqlite3';
import { PILLARS } from '../scoring/types.js';
import type { SubjectKind } from './settings.js';

/**
 * Silences: while one is active, the messages it covers are decided and stored as usual (so
 * the rule's state moves on and nothing piles up to be sent when it ends) but never sent.
 * A silence covers a subject (`outcome` / `pillar` / `indicator` with its id, or `*` for every
 * one of the kind) or a whole `rule`. The only reader and writer of notification_silences
 * (migrations/0011_notification_silences.sql).
 */

export const SILENCE_KINDS = ['outcome', 'pillar', 'indicator', 'rule'] as const;
export type SilenceKind = (typeof SILENCE_KINDS)[number];

export interface Silence {
  id: number;
  kind: SilenceKind;
  target: string;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy: string | null;
  createdAt: number;
}

export interface NewSilence {
  kind: SilenceKind;
  target: string;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy?: string;
}

type Row = [number, SilenceKind, string, number, number, string, string | null, number];
const COLUMNS = 'id, kind, target, starts_at, ends_at, reason, created_by, created_at';
const toSilence = ([id, kind, target, startsAt, endsAt, reason, createdBy, createdAt]: Row): Silence => ({ id, kind, target, startsAt, endsAt, reason, createdBy, createdAt });

export class SilenceStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  add(s: NewSilence): Silence {
    if (!s.reason.trim()) throw new RangeError('a silence needs a reason');
    if (!(s.endsAt > s.startsAt)) throw new RangeError('a silence must end after it starts');
    const row = this.db
      .prepare(`INSERT INTO notification_silences (kind, target, starts_at, ends_at, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`)
      .raw()
      .get(s.kind, s.target, s.startsAt, s.endsAt, s.reason.trim(), s.createdBy ?? null, this.now()) as Row;
    return toSilence(row);
  }

  /** Silences not yet ended (active or starting later), soonest end first; with `all`, the ended ones too, newest first after them. */
  list(opts: { all?: boolean } = {}): Silence[] {
    const sql = opts.all
      ? `SELECT ${COLUMNS} FROM notification_silences ORDER BY ends_at <= ? , ends_at DESC, id`
      : `SELECT ${COLUMNS} FROM notification_silences WHERE ends_at > ? ORDER BY ends_at, id`;
    return (this.db.prepare(sql).raw().all(this.now()) as Row[]).map(toSilence);
  }

  /** Ends a silence now; undefined when there is none with that id or it has already ended. */
  expire(id: number): Silence | undefined {
    const now = this.now();
    const row = this.db
      .prepare(`UPDATE notification_silences SET ends_at = max(starts_at, ?) WHERE id = ? AND ends_at > ? RETURNING ${COLUMNS}`)
      .raw()
      .get(now, id, now) as Row | undefined;
    return row && toSilence(row);
  }

  /** Active at `at`. */
  active(at: number): Silence[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM notification_silences WHERE starts_at <= ? AND ends_at > ?`).raw().all(at, at) as Row[]).map(toSilence);
  }
}

/** The first of `silences` covering a message of `rule` about `subject`. */
export function silencing(silences: readonly Silence[], rule: string, subject: { kind: SubjectKind; id: string }): Silence | undefined {
  return silences.find((s) => (s.kind === 'rule' ? s.target === rule || s.target === '*' : s.kind === subject.kind && (s.target === subject.id || s.target === '*')));
}

/** A silence request that cannot be used; `field` is the input key at fault (`outcome`, `for`, …). */
export class SilenceInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SilenceInputError';
  }
}

export interface SilenceInput {
  outcome?: string;
  pillar?: string;
  indicator?: string;
  rule?: string;
  /** A duration such as `2h`, read by `parseDuration`. */
  for?: string;
  /** RFC 3339 with a zone. */
  until?: string;
  reason?: string;
  by?: string;
}

/**
 * A request (the CLI's flags, the API's body) → the silence to store, starting `now`. Throws
 * SilenceInputError naming the field. `parseDuration` returns ms or the reason it cannot
 * (the workload file's duration syntax, passed in from the floor that owns it).
 */
export function parseSilenceInput(input: SilenceInput, now: number, parseDuration: (text: string) => number | string): NewSilence {
  const given = SILENCE_KINDS.filter((k) => input[k] !== undefined);
  if (given.length !== 1) {
    throw new SilenceInputError(given[1] ?? 'outcome', `name exactly one of outcome, pillar, indicator, rule (got ${given.length ? given.join(', ') : 'none'})`);
  }
  const kind = given[0]!;
  const target = input[kind]!.trim();
  if (!target) throw new SilenceInputError(kind, 'must not be empty');
  if (kind === 'pillar' && target !== '*' && !(PILLARS as readonly string[]).includes(target)) {
    throw new SilenceInputError('pillar', `"${target}" is not a pillar; expected one of ${PILLARS.join(', ')} or *`);
  }
  if ((input.for === undefined) === (input.until === undefined)) throw new SilenceInputError(input.for === undefined ? 'for' : 'until', 'give one of for (a duration such as 2h) or until (a time)');
  let endsAt: number;
  if (input.for !== undefined) {
    const ms = parseDuration(input.for.trim());
    if (typeof ms === 'string') throw new SilenceInputError('for', ms);
    if (ms <= 0) throw new SilenceInputError('for', 'must be greater than 0');
    endsAt = now + ms;
  } else {
    endsAt = Date.parse(input.until!);
    if (!/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(input.until!) || Number.isNaN(endsAt)) throw new SilenceInputError('until', `"${input.until}" is not an RFC 3339 time with a zone, e.g. 2026-12-08T06:00:00Z`);
    if (endsAt <= now) throw new SilenceInputError('until', `${input.until} is not in the future`);
  }
  const reason = (input.reason ?? '').trim();
  if (!reason) throw new SilenceInputError('reason', 'say why (it is shown with the silence)');
  return { kind, target, startsAt: now, endsAt, reason, ...(input.by !== undefined && input.by.trim() !== '' && { createdBy: input.by.trim() }) };
}
