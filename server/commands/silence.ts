import { openExistingStore } from './database.js';
import { renderTable } from './table.js';
import type { Clock } from '../clock.js';
import { parseSilenceInput, SilenceInputError, SilenceStore, type Silence, type SilenceInput } from '../notifications/index.js';
import { tryParseDuration } from '../workload/duration.js';

/**
 * `pillarboard silence add | list | expire`: silences of notifications, written straight into
 * the database (--db, or PILLARBOARD_DB) — a running server reads them before every message it
 * decides, so a silence applies from the next evaluation pass. Exit codes: 0 done, 1 the
 * database failed, 2 invalid input (the flag is named).
 */

/** The flags of `silence add` are the fields the API takes (one parser names the field at fault). */
export type SilenceAddFlags = SilenceInput;

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  clock: Clock;
}

function withSilences<T>(dbPath: string, clock: Clock, fn: (s: SilenceStore) => T): T {
  const store = openExistingStore({ path: dbPath, now: () => clock.now() });
  try {
    return fn(new SilenceStore(store.db, () => clock.now()));
  } finally {
    store.close();
  }
}

const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function runSilenceAdd(dbPath: string, flags: SilenceAddFlags, io: Io): number {
  let parsed;
  try {
    parsed = parseSilenceInput(flags, io.clock.now(), tryParseDuration);
  } catch (e) {
    if (!(e instanceof SilenceInputError)) throw e;
    io.err.write(`pillarboard: --${e.field}: ${e.message}\n`);
    return 2;
  }
  const s = withSilences(dbPath, io.clock, (store) => store.add(parsed));
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
