/**
 * Crash trials (issue 12, "Tests and evidence"): a writer is SIGKILLed at a seeded random
 * point while it ingests collector runs, takes event posts (a real `pillarboard serve` over
 * HTTP, and `pillarboard event add --db`), or writes reports to the archive. After every
 * kill the database is reopened: `PRAGMA integrity_check` must answer ok and every write the
 * writer acknowledged — printed by the child after the commit returned, or an HTTP 2xx /
 * exit 0 seen by this process — must be there, with its content. Writes accumulate in one
 * database per kind, so each trial also reopens what the previous kill left.
 *
 * Used by test/crash-trials.test.ts (a few trials) and bench/crash-trials.bench.ts (100).
 * The random points come from `seed` (CRASH_SEED replays a run): the same seed gives the same
 * delays, though where a delay lands in the writer's work still depends on the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { runTokenCreate } from '../../server/commands/token.js';
import { openStore, parseSelector } from '../../server/store/index.js';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'server', 'cli.ts');
const INGEST_WRITER = path.join(ROOT, 'test', 'fixtures', 'store-crash-writer.ts');
const REPORT_WRITER = path.join(ROOT, 'test', 'fixtures', 'crash-report-writer.ts');
/** store-crash-writer.ts's time origin and per-run layout. */
const T0 = Date.UTC(2025, 0, 6);
const DAY = 86_400_000;
const EVENT_START = '2026-01-05T10:00:00Z';

export type TrialKind = 'ingest' | 'events-api' | 'events-cli' | 'reports';
export const TRIAL_KINDS: TrialKind[] = ['ingest', 'events-api', 'events-cli', 'reports'];

export interface KindResult {
  kind: TrialKind;
  trials: number;
  /** Trials whose writer was killed by the SIGKILL (not finished before it). */
  kills: number;
  /** Acknowledged writes found again, summed over the checks after every trial. */
  acksChecked: number;
  /** Distinct acknowledged writes at the end. */
  acks: number;
  failures: string[];
  ms: number;
}

export { seededRandom } from './seeded-random.js';

/** Generation `gen` of report `week` as crash-report-writer.ts writes it (md, html and pdf alike). */
export function reportBody(week: string, gen: number): string {
  return `${week}#${gen}:`.padEnd(4_000 + ((gen * 7919) % 300_000), 'x');
}

const tsxNode = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test', PILLARBOARD_LOG_LEVEL: 'warn', ...env },
  });

/** Resolves with the exit signal/code; collects stdout lines into `onLine` and stderr text. */
function watch(child: ChildProcess, onLine: (line: string) => void) {
  let buf = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l) onLine(l);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { exited, stderr: () => stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reopens `dbPath` with plain SQLite: the integrity check's answer ('ok' when intact). */
function integrity(dbPath: string): string {
  const db = new Database(dbPath);
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

interface Kind {
  setup(dbPath: string): void | Promise<void>;
  /** One trial: start a writer, kill it at `delayMs` after it started writing; adds acks. Returns whether the kill landed. */
  trial(dbPath: string, trial: number, delayMs: number): Promise<boolean>;
  /** Checks every ack so far against the reopened database; returns how many were checked and what is missing. */
  check(dbPath: string): { checked: number; missing: string[] };
  acks(): number;
  maxDelayMs: number;
}

/** A child that writes in a loop until killed, printing one ack line per commit. */
async function killLoopWriter(args: string[], delayMs: number, onAck: (line: string) => void): Promise<boolean> {
  const child = tsxNode(args);
  let timer: NodeJS.Timeout | undefined;
  let first = true;
  const w = watch(child, (line) => {
    onAck(line);
    if (first) {
      first = false;
      timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    }
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const { signal, code } = await w.exited;
  clearTimeout(guard);
  clearTimeout(timer);
  if (first) throw new Error(`writer ${args[0]} never acknowledged a write (exit ${code ?? signal}): ${w.stderr()}`);
  if (signal !== 'SIGKILL') throw new Error(`writer ${args[0]} exited ${code} before the kill: ${w.stderr()}`);
  return true;
}

function ingestKind(): Kind {
  const acked = new Map<number, { i: number; base: number }>(); // run id -> what it wrote
  return {
    maxDelayMs: 1500,
    setup() {},
    // Each trial's values are offset (base), so a lost sample cannot be masked by an earlier trial's at the same time.
    trial: (dbPath, t, delayMs) =>
      killLoopWriter([INGEST_WRITER, dbPath, String(t * 10_000_000)], delayMs, (line) => {
        const [id, i] = line.split(' ').map(Number);
        acked.set(id!, { i: i!, base: t * 10_000_000 });
      }),
    check(dbPath) {
      const missing: string[] = [];
      const db = new Database(dbPath, { readonly: true });
      const runs = new Map((db.prepare("SELECT id, started_at FROM collector_runs WHERE collector_id = 'crash'").raw().all() as [number, number][]).map(([id, at]) => [id, at]));
      db.close();
      // The store's own reading (head and chunks), as the server would after a restart.
      const store = openStore({ path: dbPath, now: () => T0 + DAY });
      const values = new Map<string, Map<number, number>>();
      try {
        for (const s of store.findSeries(parseSelector('crash_metric'))) values.set(s.labels.s!, new Map(store.rawPoints(s.id, T0 - DAY, T0 + 60 * DAY)));
      } finally {
        store.close();
      }
      let checked = 0;
      // A later trial writing the same series and time replaces the value (one value per time): an acknowledged
      // value must be there, or one of a later trial (a larger base), never an earlier one or none.
      for (const [id, { i, base }] of acked) {
        checked++;
        const ts = T0 + i * 60_000;
        if (runs.get(id) !== ts) {
          missing.push(`run ${id} (i=${i}) ${runs.has(id) ? `started_at ${runs.get(id)} != ${ts}` : 'missing'}`);
          continue;
        }
        for (let s = 0; s < 20; s++) {
          if (s === 5) continue; // replaced by later runs, by design
          const v = values.get(String(s))?.get(ts);
          const vBase = v === undefined ? -1 : v - (i * 100 + s);
          if (vBase < base || vBase % 10_000_000 !== 0) missing.push(`run ${id} (i=${i}) series s=${s} at ${ts}: ${v ?? 'missing'}`);
        }
      }
      return { checked, missing };
    },
    acks: () => acked.size,
  };
}

function reportsKind(): Kind {
  const acked = new Map<string, number>(); // week -> generation acknowledged
  return {
    maxDelayMs: 1500,
    setup() {},
    trial: (dbPath, t, delayMs) =>
      killLoopWriter([REPORT_WRITER, dbPath, `t${t}`], delayMs, (line) => {
        const [week, gen] = line.split(' ');
        acked.set(week!, Number(gen));
      }),
    check(dbPath) {
      const missing: string[] = [];
      const db = new Database(dbPath, { readonly: true });
      const get = db.prepare('SELECT generated_at, data, md, html, pdf FROM reports WHERE week = ?');
      let checked = 0;
      for (const [week, gen] of acked) {
        checked++;
        const r = get.get(week) as { generated_at: number; data: string; md: string; html: string; pdf: Buffer | null } | undefined;
        if (!r) {
          missing.push(`report ${week} (generation ${gen}) missing`);
          continue;
        }
        // A later generation of the same week may have replaced it, never an earlier one.
        const body = reportBody(week, r.generated_at);
        if (r.generated_at < gen || JSON.parse(r.data).gen !== r.generated_at || r.md !== body || r.html !== body || r.pdf?.toString() !== body)
          missing.push(`report ${week}: stored generation ${r.generated_at} (acknowledged ${gen}) or its content is wrong`);
      }
      db.close();
      return { checked, missing };
    },
    acks: () => acked.size,
  };
}

function eventsCheck(dbPath: string, acked: Set<string>, source: string) {
  const missing: string[] = [];
  const db = new Database(dbPath, { readonly: true });
  const get = db.prepare('SELECT kind, service FROM events WHERE source = ? AND external_id = ?');
  let checked = 0;
  for (const id of acked) {
    checked++;
    const r = get.get(source, id) as { kind: string; service: string } | undefined;
    if (!r || r.kind !== 'deployment' || r.service !== 'shop') missing.push(`event ${source}/${id} ${r ? 'has the wrong content' : 'missing'}`);
  }
  db.close();
  return { checked, missing };
}

function eventsApiKind(dir: string): Kind {
  const acked = new Set<string>();
  const workload = path.join(dir, 'events-workload.yaml');
  let token = '';
  return {
    maxDelayMs: 1500,
    async setup(dbPath) {
      fs.writeFileSync(workload, 'version: 1\nworkload: { id: shop, title: Shop }\n');
      openStore({ path: dbPath, now: Date.now }).close(); // token create refuses a database that does not exist
      let out = '';
      let err = '';
      const sink = (add: (s: string) => void) => ({ write: (s: string) => (add(s), true) }) as unknown as NodeJS.WritableStream;
      if ((await runTokenCreate(dbPath, 'crash', 'write', sink((s) => (out += s)), sink((s) => (err += s)))) !== 0) throw new Error(`token create failed: ${err}`);
      token = out.trim(); // stdout holds the token alone
    },
    async trial(dbPath, t, delayMs) {
      const child = tsxNode([CLI, 'serve', '--config', workload, '--db', dbPath, '--host', '127.0.0.1', '--port', '0'], {
        PILLARBOARD_LOG_LEVEL: 'info',
        PILLARBOARD_LOG_FORMAT: 'json',
        PILLARBOARD_WATCH: 'false',
      });
      const w = watch(child, () => {});
      let url = '';
      let dead = false;
      void w.exited.then(() => (dead = true));
      const until = Date.now() + 60_000;
      // serve logs (JSON, on stderr) its address once it listens.
      while (!url && !dead && Date.now() < until) {
        await sleep(20);
        url = /"msg":"pillarboard listening","url":"(http:[^"]+)"/.exec(w.stderr())?.[1] ?? '';
      }
      if (!url) {
        child.kill('SIGKILL');
        throw new Error(`serve did not start: ${w.stderr()}`);
      }
      let n = 0;
      const poster = async (p: number) => {
        while (!dead) {
          const ids = [0, 1, 2].map((k) => `api-${t}-${p}-${n++}-${k}`);
          const events = ids.map((id) => ({ kind: 'deployment', id, service: 'shop', environment: 'production', start: EVENT_START }));
          try {
            const res = await fetch(`${url}/api/events`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ events }),
            });
            await res.arrayBuffer();
            if (res.ok) for (const id of ids) acked.add(id);
            // 429 (the write rate limit) acknowledges nothing; any other refusal is a bug in the trial.
            else if (!dead && res.status !== 429) throw new Error(`POST /api/events answered ${res.status}`);
          } catch (e) {
            if (!dead && !/fetch failed|ECONNRESET|other side closed/.test(String((e as Error).message))) throw e;
          }
        }
      };
      const posters = Promise.all([0, 1, 2, 3].map(poster));
      // The delay runs from the first acknowledged post, so the kill lands while posts are in flight.
      const before = acked.size;
      while (acked.size === before && !dead && Date.now() < until) await sleep(5);
      await sleep(delayMs);
      child.kill('SIGKILL');
      const { signal } = await w.exited;
      await posters;
      return signal === 'SIGKILL';
    },
    check: (dbPath) => eventsCheck(dbPath, acked, 'api'),
    acks: () => acked.size,
  };
}

function eventsCliKind(): Kind {
  const acked = new Set<string>();
  let fullMs = 0;
  const add = (dbPath: string, id: string) =>
    tsxNode([CLI, 'event', 'add', '--db', dbPath, '--kind', 'deployment', '--id', id, '--service', 'shop', '--env', 'production', '--start', EVENT_START]);
  const runOnce = async (dbPath: string, id: string, killAfterMs?: number): Promise<boolean> => {
    const child = add(dbPath, id);
    const w = watch(child, () => {});
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const { code, signal } = await w.exited;
    clearTimeout(timer);
    if (code === 0) acked.add(id); // exit 0 after "inserted": the acknowledgement
    else if (signal !== 'SIGKILL') throw new Error(`event add ${id} exited ${code}: ${w.stderr()}`);
    return signal === 'SIGKILL';
  };
  return {
    // Filled in by setup: the time a whole `event add` takes here.
    maxDelayMs: 0,
    setup: (dbPath) => openStore({ path: dbPath, now: Date.now }).close(), // event add refuses a database that does not exist
    async trial(dbPath, t, delayMs) {
      const started = Date.now();
      await runOnce(dbPath, `cli-${t}-done`);
      if (fullMs === 0) fullMs = Date.now() - started;
      // The kill lands in the later part of a run (the first is Node and tsx starting): where the command opens and writes.
      return runOnce(dbPath, `cli-${t}-killed`, fullMs * (0.4 + 0.6 * (delayMs / 1500)));
    },
    check: (dbPath) => eventsCheck(dbPath, acked, 'api'),
    acks: () => acked.size,
  };
}

/** Runs `trials` crash trials of `kind` in `dir`, delays drawn from `random`; never throws for a lost write (it is a failure). */
export async function runCrashTrials(kind: TrialKind, trials: number, dir: string, random: () => number, log: (line: string) => void = () => {}): Promise<KindResult> {
  const k = kind === 'ingest' ? ingestKind() : kind === 'reports' ? reportsKind() : kind === 'events-api' ? eventsApiKind(dir) : eventsCliKind();
  const dbPath = path.join(dir, `${kind}.db`);
  const started = Date.now();
  const result: KindResult = { kind, trials, kills: 0, acksChecked: 0, acks: 0, failures: [], ms: 0 };
  await k.setup(dbPath);
  for (let t = 0; t < trials; t++) {
    const delayMs = Math.round(random() * (kind === 'events-cli' ? 1500 : k.maxDelayMs));
    if (await k.trial(dbPath, t, delayMs)) result.kills++;
    const ok = integrity(dbPath);
    if (ok !== 'ok') result.failures.push(`${kind} trial ${t} (delay ${delayMs} ms): integrity_check: ${ok}`);
    const { checked, missing } = k.check(dbPath);
    result.acksChecked += checked;
    if (missing.length) result.failures.push(`${kind} trial ${t} (delay ${delayMs} ms): ${missing.length} acknowledged write(s) lost, e.g. ${missing.slice(0, 3).join('; ')}`);
    log(`${kind} trial ${t}: delay ${delayMs} ms, ${k.acks()} acknowledged so far, integrity ${ok}, ${missing.length} missing`);
  }
  result.acks = k.acks();
  result.ms = Date.now() - started;
  return result;
}
