/**
 * `pillarboard store copy` (issue 14 item 3): a SQLite store with data in every layout (head,
 * chunks, rollups, a marked hour, staleness markers) and application rows (events, tokens,
 * reports with a PDF, review rows, notifications with booleans) copied to a real PostgreSQL and
 * back to a new SQLite file, read back through each engine's own store.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Sample } from '../collectors/types.js';
import { TokenStore } from '../server/auth/tokens.js';
import { EventStore } from '../server/events/store.js';
import { PgEventStore } from '../server/events/pgStore.js';
import { copyStore, CopyVerificationError, spread } from '../server/store/copy/index.js';
import { copyPlan } from '../server/store/copy/plan.js';
import { openStore, parseSelector, type Store } from '../server/store/index.js';
import { openPgStore } from '../server/store/pg/store.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';

const run = promisify(execFile);
const T0 = Date.parse('2026-11-01T00:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const ROOT = path.resolve(__dirname, '..');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-copy-'));
}

/** A store with 12 series over 3 days: old data compacted into chunks, the last hours in the head. */
function filledSqlite(file: string, now: number): Store {
  const store = openStore({ path: file, now: () => now, headMaxRows: 2_000 });
  for (let day = 0; day < 3; day++) {
    const batch: Sample[] = [];
    for (let s = 0; s < 12; s++) {
      for (let m = 0; m < 24 * 60; m += 5) {
        const ts = T0 + day * 24 * HOUR + m * MIN;
        // a staleness marker now and then, and values that are not round
        const value = (s * 7 + m) % 97 === 0 ? Number.NaN : Math.sin(s + m / 60) * 1000 + s / 3;
        batch.push({ name: s % 2 ? 'http_requests_total' : 'node_load1', labels: { instance: `host-${s}`, job: 'copy' }, ts, value });
      }
    }
    store.writeSamples(batch);
    store.updateRollups();
  }
  store.compactHead();
  // a late write into an hour whose rollup is then out of date: its marker must travel
  store.writeSamples([{ name: 'node_load1', labels: { instance: 'host-0', job: 'copy' }, ts: T0 + 3 * 24 * HOUR - 30 * MIN, value: 42.5 }]);
  store.recordRun({ collectorId: 'probe', startedAt: now - MIN, durationMs: 12, ok: false, error: 'connect ECONNREFUSED', samplesWritten: 0, warnings: ['slow'] }, []);
  store.recordRun({ collectorId: 'probe', startedAt: now, durationMs: 8, ok: true, samplesWritten: 1 }, [
    { name: 'probe_success', labels: { target: 'shop' }, ts: now, value: 1 },
  ]);
  store.saveWorkloadVersion({ hash: 'abc', path: 'workload.yaml', source: 'version: 1\n', appliedAt: now });
  const events = new EventStore(store.db, () => now);
  events.upsertEvents([
    { kind: 'deployment', source: 'github', externalId: 'd1', service: 'shop', environment: 'production', startedAt: T0, status: 'success', title: 'v1 “ship”', attrs: { sha: 'f00' } },
    { kind: 'incident', source: 'alertmanager', externalId: 'i1', service: 'shop', startedAt: T0 + HOUR, endedAt: T0 + 2 * HOUR },
  ]);
  const tokens = new TokenStore(store.db, () => now);
  tokens.create('ci', 'write');
  tokens.revoke(String(tokens.create('old', 'read').info.id));
  store.db.prepare(
    `INSERT INTO reports (week, timezone, from_ts, to_ts, generated_at, trigger, schema_version, data, md, html, pdf, pdf_paper, warnings)
     VALUES ('2026-W45', 'Europe/Paris', ?, ?, ?, 'schedule', 1, '{}', '# r', '<h1>r</h1>', ?, 'A4', '[]')`,
  ).run(T0, T0 + 7 * 24 * HOUR, now, Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 255, 1]));
  store.db.prepare("INSERT INTO report_deliveries (report_week, channel, attempt, at, ok, error) VALUES ('2026-W45', 'email', 1, ?, 0, 'timeout'), ('2026-W45', 'email', 2, ?, 1, NULL)").run(now, now + 1);
  store.db.prepare("INSERT INTO review_lenses (id, name, builtin, hash, lens, imported_at, updated_at) VALUES ('wellarchitected', 'WA', 1, 'h', '{}', ?, ?), ('Zcustom', 'Z', 0, 'h2', '{}', ?, ?), ('acustom', 'a', 0, 'h3', '{}', ?, ?)").run(now, now, now, now, now, now);
  store.db.prepare("INSERT INTO review_answers (lens_id, question_id, selected, not_applicable, updated_at) VALUES ('wellarchitected', 'ops-1', '[\"a\"]', 1, ?)").run(now);
  store.db.prepare("INSERT INTO notification_silences (kind, target, starts_at, ends_at, reason, created_at) VALUES ('outcome', 'buy', ?, ?, 'maintenance', ?)").run(now, now + HOUR, now);
  store.db.prepare("INSERT INTO notifications (rule_id, subject, kind, status, since, created_at, content, silenced_by) VALUES ('r', 'outcome:buy', 'firing', 'critical', ?, ?, '{}', 1)").run(now, now);
  store.db.prepare("INSERT INTO notification_attempts (notification_id, channel, attempt, at, ok, error) VALUES (1, 'hook', 1, ?, 1, NULL)").run(now);
  return store;
}

async function pgRows(url: string, sql: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('store copy between SQLite and PostgreSQL', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  const dirs: string[] = [];
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const now = T0 + 3 * 24 * HOUR;

  test('plans every table of the store, parents before the tables that reference them', () => {
    const names = copyPlan().map((p) => p.name);
    for (const t of ['series', 'samples_head', 'sample_chunks', 'rollup_1h', 'events', 'api_tokens', 'reports', 'notifications', 'meta']) assert.ok(names.includes(t), t);
    assert.ok(!names.includes('schema_migrations'));
    assert.ok(names.indexOf('notification_silences') < names.indexOf('notifications'));
    assert.ok(names.indexOf('notifications') < names.indexOf('notification_attempts'));
    assert.deepEqual(copyPlan().find((p) => p.name === 'samples_head')!.columns.includes('seq'), false);
  });

  test('SQLite to PostgreSQL and back: every table, raw samples, rollups and marked hours read back the same', async () => {
    const dir = tmp();
    dirs.push(dir);
    const src = filledSqlite(path.join(dir, 'src.db'), now);
    const ids = src.db.prepare('SELECT id FROM series ORDER BY id').pluck().all() as number[];
    const chunks = src.db.prepare('SELECT count(*) FROM sample_chunks').pluck().get() as number;
    const head = src.db.prepare('SELECT count(*) FROM samples_head').pluck().get() as number;
    const marked = src.db.prepare('SELECT hour FROM rollup_dirty').pluck().all() as number[];
    assert.ok(chunks > 0 && head > 0 && marked.length > 0, `the source has chunks (${chunks}), head rows (${head}) and a marked hour (${marked.length})`);
    const expectedRaw = new Map(ids.map((id) => [id, src.rawPoints(id, 0, now + HOUR)]));
    src.close();

    const url = await server.createDatabase();
    const progress: string[] = [];
    const report = await copyStore({ from: path.join(dir, 'src.db'), to: url, onProgress: (p) => progress.push(`${p.phase}:${p.table}`), now: () => now });
    assert.equal(report.seriesCompared, ids.length);
    assert.ok(report.samplesCompared > 10_000, `${report.samplesCompared} samples compared`);
    assert.ok(progress.includes('copy:sample_chunks') && progress.includes('verify:events'));
    assert.deepEqual(report.tables.find((t) => t.table === 'sample_chunks'), { table: 'sample_chunks', source: chunks, destination: chunks, check: 'count' });
    assert.doesNotMatch(report.to, new RegExp(server.password), 'the password is not in the report');

    // PostgreSQL's own store reads the same samples and the same hourly rollups
    const pgStore = await openPgStore({ url, now: () => now });
    const sqliteAgain = openStore({ path: path.join(dir, 'src.db'), now: () => now });
    try {
      for (const id of ids) assert.deepEqual(await pgStore.rawPoints(id, 0, now + HOUR), expectedRaw.get(id), `raw samples of series ${id}`);
      const q = { from: T0, to: now, step: HOUR };
      assert.deepEqual(await pgStore.querySeries(parseSelector('node_load1'), q), sqliteAgain.querySeries(parseSelector('node_load1'), q));
      // identity sequences moved past the copied ids: a new series and event get fresh ids
      await pgStore.writeSamples([{ name: 'after_copy', labels: {}, ts: now, value: 1 }]);
      const [newSeries] = await pgStore.findSeries(parseSelector('after_copy'));
      assert.ok(newSeries!.id > Math.max(...ids));
    } finally {
      sqliteAgain.close();
      await pgStore.close();
    }
    const pool = new pg.Pool({ connectionString: url });
    try {
      const events = new PgEventStore(pool, () => now);
      const r = await events.upsertEvents([{ kind: 'deployment', source: 'api', externalId: 'new', startedAt: now }]);
      assert.equal(r.inserted, 1);
      assert.equal((await events.getEvent('github', 'd1'))!.title, 'v1 “ship”');
    } finally {
      await pool.end();
    }
    assert.deepEqual(await pgRows(url, "SELECT ok FROM report_deliveries ORDER BY attempt"), [{ ok: false }, { ok: true }], 'SQLite 0/1 became booleans');

    // and back into a new SQLite file: every application table equal to the original, row by row
    const back = path.join(dir, 'back.db');
    const report2 = await copyStore({ from: url, to: back, now: () => now });
    assert.equal(report2.seriesCompared, ids.length + 1);
    const a = openStore({ path: path.join(dir, 'src.db'), now: () => now });
    const b = openStore({ path: back, now: () => now });
    try {
      for (const plan of copyPlan()) {
        if (['series', 'events', 'samples_head', 'rollup_dirty', 'rollup_1h', 'meta'].includes(plan.name)) continue;
        const sel = `SELECT ${plan.columns.join(', ')} FROM ${plan.name} ORDER BY ${plan.key.join(', ')}`;
        assert.deepEqual(b.db.prepare(sel).raw().all(), a.db.prepare(sel).raw().all(), plan.name);
      }
      for (const id of ids) assert.deepEqual(b.rawPoints(id, 0, now + HOUR), expectedRaw.get(id), `series ${id} after the round trip`);
      const pdf = b.db.prepare("SELECT pdf FROM reports WHERE week = '2026-W45'").pluck().get() as Buffer;
      assert.deepEqual([...pdf], [0x25, 0x50, 0x44, 0x46, 0, 255, 1]);
    } finally {
      a.close();
      b.close();
    }
  });

  test('a destination that holds data is refused and left as it was', async () => {
    const dir = tmp();
    dirs.push(dir);
    filledSqlite(path.join(dir, 'src.db'), now).close();
    const url = await server.createDatabase();
    const pgStore = await openPgStore({ url, now: () => now });
    await pgStore.writeSamples([{ name: 'already_here', labels: {}, ts: now, value: 3 }]);
    await pgStore.close();
    await assert.rejects(copyStore({ from: path.join(dir, 'src.db'), to: url, now: () => now }), /already holds data \(.*series: 1 rows\); copy into an empty database or a new file/);
    assert.deepEqual(await pgRows(url, 'SELECT name FROM series'), [{ name: 'already_here' }]);
    fs.writeFileSync(path.join(dir, 'taken.db'), 'x');
    await assert.rejects(copyStore({ from: url, to: path.join(dir, 'taken.db'), now: () => now }), /taken\.db exists; a copy writes a new SQLite file/);
    assert.equal(fs.readFileSync(path.join(dir, 'taken.db'), 'utf8'), 'x');
  });

  test('a copy that fails half way leaves an empty destination that a second copy fills', async () => {
    const dir = tmp();
    dirs.push(dir);
    filledSqlite(path.join(dir, 'src.db'), now).close();
    const url = await server.createDatabase();
    await (await openPgStore({ url, now: () => now })).close();
    // a fault in the destination's server after some tables went in: a trigger that refuses events
    await pgRows(url, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk quota exceeded'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse();`);
    await assert.rejects(copyStore({ from: path.join(dir, 'src.db'), to: url, now: () => now }), /disk quota exceeded/);
    assert.deepEqual(await pgRows(url, 'SELECT (SELECT count(*) FROM series)::int AS series, (SELECT count(*) FROM sample_chunks)::int AS chunks'), [{ series: 0, chunks: 0 }]);
    await pgRows(url, 'DROP TRIGGER refuse ON events');
    const r = await copyStore({ from: path.join(dir, 'src.db'), to: url, now: () => now });
    assert.ok(r.rows > 0);
  });

  test('a wrong password is one line with the password redacted, and nothing is created', async () => {
    const dir = tmp();
    dirs.push(dir);
    filledSqlite(path.join(dir, 'src.db'), now).close();
    const bad = new URL(await server.createDatabase());
    bad.password = 'not-the-secret';
    await assert.rejects(copyStore({ from: path.join(dir, 'src.db'), to: bad.toString(), now: () => now }), (e: Error) => {
      assert.match(e.message, /password authentication failed/);
      assert.doesNotMatch(e.message, /not-the-secret/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    await assert.rejects(copyStore({ from: bad.toString(), to: path.join(dir, 'never.db'), now: () => now }), /password authentication failed/);
    assert.equal(fs.existsSync(path.join(dir, 'never.db')), false);
  });

  test('verification catches a copy that does not read back as its source', async () => {
    const dir = tmp();
    dirs.push(dir);
    filledSqlite(path.join(dir, 'src.db'), now).close();
    const url = await server.createDatabase();
    await (await openPgStore({ url, now: () => now })).close();
    // the destination's server rewrites a value as it is stored (a fault the copy must notice)
    await pgRows(url, `CREATE FUNCTION mangle() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.title := 'changed'; RETURN NEW; END $$;
      CREATE TRIGGER mangle BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION mangle();`);
    await assert.rejects(copyStore({ from: path.join(dir, 'src.db'), to: url, now: () => now }), (e: Error) => e instanceof CopyVerificationError && /events: the rows differ/.test(e.message));
  });

  test('the command prints a line per table off a terminal and exits 0; a bad destination exits 1 naming it', { timeout: 120_000 }, async () => {
    const dir = tmp();
    dirs.push(dir);
    filledSqlite(path.join(dir, 'src.db'), now).close();
    const url = await server.createDatabase();
    const cli = ['--import', 'tsx', path.join(ROOT, 'server/cli.ts'), 'store', 'copy'];
    const ok = await run(process.execPath, [...cli, '--from', path.join(dir, 'src.db'), '--to', url, '--verify-series', '5'], { cwd: ROOT });
    assert.match(ok.stderr, /^copied series: 13 rows$/m);
    assert.match(ok.stderr, /^copied events: 2 rows$/m);
    assert.match(ok.stdout, /verified: every table's row count, \d+ tables row by row, [\d,]+ raw samples of 5 sampled series read back equal/);
    assert.doesNotMatch(ok.stdout + ok.stderr, new RegExp(server.password));
    const failed = await run(process.execPath, [...cli, '--from', path.join(dir, 'src.db'), '--to', url], { cwd: ROOT }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((failed as { code: number }).code, 1);
    assert.match((failed as { stderr: string }).stderr, /store copy failed: .*already holds data/);
  });
});

test('spread picks ids evenly, first and last included', () => {
  assert.deepEqual(spread([1, 2, 3, 4, 5, 6, 7, 8, 9], 3), [1, 5, 9]);
  assert.deepEqual(spread([4, 8], 5), [4, 8]);
  assert.deepEqual(spread([1, 2, 3], 0), []);
});
