import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseApiEvent, type BodyIssue } from '../events/schema.js';
import type { EventRepository } from '../events/backend.js';
import { SqliteEventRepository } from '../events/sqliteEvents.js';
import { EventStore } from '../events/store.js';
import { openExistingStore } from './database.js';
import { timeoutSignal, type Clock } from '../clock.js';
import { parseTime } from '../api/timeRange.js';
import { Problem } from '../api/problem.js';

/** `pillarboard event add` flags, as commander hands them over. */
export interface EventAddFlags {
  kind: string;
  id: string;
  source?: string;
  service?: string;
  env?: string;
  start?: string;
  end?: string;
  status?: string;
  title?: string;
  commit?: string[];
  attr?: string[];
  deployment?: string;
  incident?: string;
  url?: string;
  server?: string;
  token?: string;
  db?: string;
}

export interface EventAddOptions {
  /** The database used when neither --server nor --db is given (settings: PILLARBOARD_DB). */
  defaultDb: string;
  /** The command's clock: "now" for relative times and stamps, and the --server request's deadline. */
  clock: Clock;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  fetch?: typeof fetch;
}

class UsageError extends Error {}

/** Bound on the --server request (connect, send, answer). */
const REQUEST_BOUND_MS = 30_000;

/**
 * `pillarboard event add`: one event from a script or pipeline step, validated exactly as
 * POST /api/events validates it. With --server (and --token, write scope) it is posted to a
 * running server; otherwise it is written to the database directly (--db, or PILLARBOARD_DB).
 * Exit codes: 0 stored, 1 the server or database failed, 2 invalid input (the flag is named).
 */
export async function runEventAdd(flags: EventAddFlags, opts: EventAddOptions): Promise<number> {
  const fail = (code: number, message: string) => {
    opts.err.write(`pillarboard: ${message}\n`);
    return code;
  };
  let body: Record<string, unknown>;
  try {
    body = buildBody(flags, opts.clock.now());
  } catch (e) {
    if (e instanceof UsageError) return fail(2, e.message);
    throw e;
  }
  const parsed = parseApiEvent(body, opts.clock.now());
  if ('issues' in parsed) return fail(2, parsed.issues.map(describe).join('\n'));

  if (flags.server !== undefined) {
    if (flags.db !== undefined) return fail(2, '--server and --db: give one of them, not both');
    if (!flags.token) return fail(2, '--token: required with --server (a token of scope write, from `pillarboard token create`)');
    let res: Response;
    const url = `${flags.server.replace(/\/+$/, '')}/api/events`;
    const deadline = timeoutSignal(opts.clock, REQUEST_BOUND_MS);
    try {
      res = await (opts.fetch ?? fetch)(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${flags.token}` },
        body: JSON.stringify(body),
        signal: deadline.signal,
      });
    } catch (e) {
      deadline.cancel();
      if ((e as Error).name === 'TimeoutError') return fail(1, `cannot reach ${url}: no answer within ${REQUEST_BOUND_MS / 1000} s`);
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      return fail(1, `cannot reach ${url}: ${cause ?? (e as Error).message}`);
    }
    const answer = (await res.json().catch(() => ({})).finally(deadline.cancel)) as {
      detail?: string;
      errors?: Array<{ name: string; message: string }>;
      inserted?: number;
      updated?: number;
      skipped?: number;
    };
    if (res.status === 400 && answer.errors?.length) return fail(2, answer.errors.map(describe).join('\n'));
    if (res.status === 401 || res.status === 403) return fail(2, `--token: ${answer.detail ?? res.statusText}`);
    if (!res.ok) return fail(1, `${url} answered ${res.status}: ${answer.detail ?? res.statusText}`);
    opts.out.write(summary(parsed.event, answer) + '\n');
    return 0;
  }

  const dbPath = flags.db ?? opts.defaultDb;
  const now = () => opts.clock.now();
  const store = openExistingStore({ path: dbPath, now });
  try {
    const events: EventRepository = new SqliteEventRepository(new EventStore(store.db, now));
    const r = await events.upsertEvents([parsed.event]);
    opts.out.write(summary(parsed.event, r) + '\n');
    return 0;
  } finally {
    store.close();
  }
}

/** The flags as an API event body; times given as `now` or `now-<duration>` become Unix seconds. */
function buildBody(f: EventAddFlags, now: number): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: f.kind, id: f.id };
  const set = (key: string, v: unknown) => v !== undefined && (body[key] = v);
  set('source', f.source);
  set('service', f.service);
  set('environment', f.env);
  set('start', relativeTime('--start', f.start ?? 'now', now));
  set('end', f.end === undefined ? undefined : relativeTime('--end', f.end, now));
  set('status', f.status);
  set('title', f.title);
  const links: Record<string, unknown> = {};
  if (f.commit?.length) links.commits = f.commit.map((sha) => ({ sha }));
  if (f.deployment !== undefined) links.deployment = f.deployment;
  if (f.incident !== undefined) links.incident = f.incident;
  if (f.url !== undefined) links.url = f.url;
  if (Object.keys(links).length) body.links = links;
  if (f.attr?.length) body.attributes = Object.fromEntries(f.attr.map(attribute));
  return body;
}

function relativeTime(flag: string, raw: string, now: number): string | number {
  if (raw !== 'now' && !raw.startsWith('now-')) return raw;
  try {
    return parseTime(flag, raw, now) / 1000;
  } catch (e) {
    if (e instanceof Problem) throw new UsageError(`${flag}: "${raw}" is not now or now-<duration> (like now-15m)`);
    throw e;
  }
}

/** `key=value` is a string; `key:=json` is a JSON value (`linesChanged:=120`, `rollback:=true`), as HTTPie writes them. */
function attribute(raw: string): [string, unknown] {
  const json = /^([^=:]+):=(.*)$/s.exec(raw);
  if (json) {
    try {
      return [json[1]!, JSON.parse(json[2]!)];
    } catch {
      throw new UsageError(`--attr ${raw}: the value after ":=" is not JSON`);
    }
  }
  const text = /^([^=]+)=(.*)$/s.exec(raw);
  if (!text) throw new UsageError(`--attr ${raw}: expected key=value (a string) or key:=json`);
  return [text[1]!, text[2]!];
}

/** An issue named by the flag that sets the field. */
function describe(i: BodyIssue): string {
  return `${flagOf(i.name)}: ${i.message}`;
}

const FLAGS: Record<string, string> = {
  kind: '--kind',
  id: '--id',
  source: '--source',
  service: '--service',
  environment: '--env',
  start: '--start',
  end: '--end',
  status: '--status',
  title: '--title',
  'links.deployment': '--deployment',
  'links.incident': '--incident',
  'links.url': '--url',
};

function flagOf(field: string): string {
  if (FLAGS[field]) return FLAGS[field];
  if (field.startsWith('links.commits')) return '--commit';
  const attr = /^attributes\.(.+)$/.exec(field);
  if (attr) return `--attr ${attr[1]}`;
  return field;
}

function summary(e: { kind: string; source: string; externalId: string }, r: { inserted?: number; updated?: number; skipped?: number }): string {
  const what = r.inserted ? 'recorded' : r.updated ? 'updated' : r.skipped ? 'kept (the stored event is newer)' : 'stored';
  return `${what} ${e.kind} "${e.externalId}" (source ${e.source})`;
}
