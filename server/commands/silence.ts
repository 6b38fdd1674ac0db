import { openExistingStore } from './database.js';
import { renderTable } from './table.js';
import type { Clock } from '../clock.js';
import { SilenceStore, type Silence, type SilenceKind } from '../notifications/index.js';
import { PILLARS } from '../scoring/types.js';
import { tryParseDuration } from '../workload/duration.js';

/**
 * `pillarboard silence add | list | expire`: silences of notifications, written straight into
 * the database (--db, or PILLARBOARD_DB) — a running server reads them before every message it
 * decides, so a silence applies from the next evaluation pass. Exit codes: 0 done, 1 the
 * database failed, 2 invalid input (the flag is named).
 */

export interface SilenceAddFlags {
  outcome?: string;
  pillar?: string;
  indicator?: string;
  rule?: string;
  for?: string;
  until?: string;
  reason?: string;
  by?: string;
}

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  clock: Clock;
}

class UsageError extends Error {}

function withSilences<T>(dbPath: string, clock: Clock, fn: (s: SilenceStore) => T): T {
  const store = openExistingStore({ path: dbPath, now: () => clock.now() });
  try {
    return fn(new SilenceStore(store.db, () => clock.now()));
  } finally {
    store.close();
  }
}

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function parseAdd(flags: SilenceAddFlags, now: number): { kind: SilenceKind; target: string; endsAt: number; reason: string } {
  const given = (['outcome', 'pillar', 'indicator', 'rule'] as const).filter((k) => flags[k] !== undefined);
  if (given.length !== 1) throw new UsageError(`name exactly one of --outcome, --pillar, --indicator, --rule (got ${given.length ? given.map((g) => `--${g}`).join(', ') : 'none'})`);
  const kind = given[0]!;
  const target = flags[kind]!.trim();
  if (!target) throw new UsageError(`--${kind}: must not be empty`);
  if (kind === 'pillar' && target !== '*' && !(PILLARS as readonly string[]).includes(target)) {
    throw new UsageError(`--pillar: "${target}" is not a pillar; expected one of ${PILLARS.join(', ')} or *`);
  }
  if ((flags.for === undefined) === (flags.until === undefined)) throw new UsageError('give one of --for <duration> or --until <time>');
  let endsAt: number;
  if (flags.for !== undefined) {
    const ms = tryParseDuration(flags.for.trim());
    if (typeof ms === 'string') throw new UsageError(`--for: ${ms}`);
    if (ms <= 0) throw new UsageError('--for: must be greater than 0');
    endsAt = now + ms;
  } else {
    endsAt = Date.parse(flags.until!);
    if (!/[zZ]|[+-]\d{2}:?\d{2}$/.test(flags.until!) || Number.isNaN(endsAt)) throw new UsageError(`--until: "${flags.until}" is not an RFC 3339 time with a zone, e.g. 2026-12-08T06:00:00Z`);
    if (endsAt <= now) throw new UsageError(`--until: ${flags.until} is not in the future`);
  }
  const reason = (flags.reason ?? '').trim();
  if (!reason) throw new UsageError('--reason: say why (it is shown with the silence)');
  return { kind, target, endsAt, reason };
}

export function runSilenceAdd(dbPath: string, flags: SilenceAddFlags, io: Io): number {
  let parsed;
  try {
    parsed = parseAdd(flags, io.clock.now());
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err.write(`pillarboard: ${e.message}\n`);
    return 2;
  }
  const s = withSilences(dbPath, io.clock, (store) =>
    store.add({ ...parsed, startsAt: io.clock.now(), ...(flags.by !== undefined && { createdBy: flags.by }) }),
  );
  io.out.write(`${s.id}\n`);
  io.err.write(`silenced ${describe(s)} until ${when(s.endsAt)} (id ${s.id})\n`);
  return 0;
}

export function runSilenceList(dbPath: string, flags: { all?: boolean }, io: Io): number {
  const list = withSilences(dbPath, io.clock, (s) => s.list({ all: flags.all === true }));
  const now = io.clock.now();
  io.out.write(
    renderTable(
      ['ID', 'SILENCES', 'STATE', 'FROM', 'UNTIL', 'BY', 'REASON'],
      list.map((s) => [String(s.id), describe(s), s.endsAt <= now ? 'expired' : s.startsAt > now ? 'pending' : 'active', when(s.startsAt), when(s.endsAt), s.createdBy ?? '-', s.reason]),
    ),
  );
  return 0;
}

export function runSilenceExpire(dbPath: string, id: string, io: Io): number {
  if (!/^\d+$/.test(id)) {
    io.err.write(`pillarboard: silence id must be a number (got "${id}")\n`);
    return 2;
  }
  const s = withSilences(dbPath, io.clock, (store) => store.expire(Number(id)));
  if (!s) {
    io.err.write(`pillarboard: no silence ${id} that has not already ended\n`);
    return 2;
  }
  io.out.write(`expired silence ${s.id} (${describe(s)})\n`);
  return 0;
}

function describe(s: Silence): string {
  return s.target === '*' ? `every ${s.kind}` : `${s.kind} ${s.target}`;
}
