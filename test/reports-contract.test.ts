/**
 * The report archive and schedule contract (issue 14): reports, report_deliveries and
 * report_schedule through the asynchronous ReportRepository, the same tests once per backend —
 * SQLite through its adapter and PostgreSQL on a real server started for this file — and, on
 * PostgreSQL, replicas racing to claim one week.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { NewReport } from '../server/reports/archive.js';
import { ReportArchive } from '../server/reports/archive.js';
import type { ReportRepository } from '../server/reports/backend.js';
import type { WeekClaim } from '../server/reports/claims.js';
import { PgReportStore } from '../server/reports/pgArchive.js';
import { SqliteReportRepository } from '../server/reports/sqliteArchive.js';
import { CLAIM_LEASE_MS, ReportScheduler, SCHEDULE_NAME } from '../server/reports/scheduler.js';
import { weekRange, type WeekRange } from '../server/reports/week.js';
import { silentLogger } from '../server/log.js';
import { openPgStore } from '../server/store/pg/store.js';
import { FakeClock } from './support/fake-clock.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';
import { postgresBackend, sqliteBackend, type StoreBackend } from './support/store-backends.js';

const T0 = Date.parse('2026-11-23T08:00:00Z');
const MIN = 60_000;
const DAY = 86_400_000;

function report(week: string, from: number, extra: Partial<NewReport> = {}): NewReport {
  return {
    week, timezone: 'Europe/Berlin', from, to: from + 7 * DAY, generatedAt: from + 7 * DAY + MIN, trigger: 'schedule', schemaVersion: 4,
    data: JSON.stringify({ week, ünïcode: '✓' }), md: `# ${week}`, html: `<h1>${week}</h1>`, warnings: [], ...extra,
  };
}

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`reports contract on ${backend.name}`, { skip: backend.skip }, () => {
    before(() => backend.setup());
    after(() => backend.teardown());
    contract(backend);
  });
}

function contract(backend: StoreBackend): void {
  const open = (t: TestContext): Promise<ReportRepository> =>
    backend.openTables<ReportRepository>(t, () => T0, {
      sqlite: (db) => new SqliteReportRepository(new ReportArchive(db)),
      postgres: (pool) => new PgReportStore(pool),
    });

  test('the repository names its backend', async (t) => {
    assert.equal((await open(t)).backend, backend.name);
  });

  test('a saved report reads back whole, replaces an earlier one of its week, and lists newest week first', async (t) => {
    const repo = await open(t);
    assert.equal(await repo.get('2026-W47'), undefined);
    await repo.save(report('2026-W46', T0 - 14 * DAY));
    await repo.save(report('2026-W47', T0 - 7 * DAY, { trigger: 'catch-up', warnings: ['PDF not produced: no Chromium'] }));
    await repo.save(report('2026-W47', T0 - 7 * DAY, { trigger: 'api', md: '# again', pdf: { bytes: Buffer.from('%PDF-1.7 x'), paper: 'Letter' } }));
    const got = await repo.get('2026-W47');
    assert.deepEqual(got, {
      week: '2026-W47', timezone: 'Europe/Berlin', from: T0 - 7 * DAY, to: T0, generatedAt: T0 + MIN, trigger: 'api', schemaVersion: 4,
      hasPdf: true, pdfPaper: 'Letter', warnings: [], data: JSON.stringify({ week: '2026-W47', ünïcode: '✓' }), md: '# again', html: '<h1>2026-W47</h1>',
    });
    const list = await repo.list();
    assert.deepEqual(list.map((m) => [m.week, m.hasPdf, m.trigger]), [['2026-W47', true, 'api'], ['2026-W46', false, 'schedule']]);
    assert.equal(Object.hasOwn(list[0]!, 'html'), false);
    assert.deepEqual((await repo.list(1)).map((m) => m.week), ['2026-W47']);
  });

  test('a PDF is stored with its paper, read back byte for byte, and set later on a report without one', async (t) => {
    const repo = await open(t);
    await repo.save(report('2026-W47', T0 - 7 * DAY));
    assert.equal(await repo.pdf('2026-W47'), undefined);
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x80]);
    await repo.setPdf('2026-W47', bytes, 'A4');
    const pdf = (await repo.pdf('2026-W47'))!;
    assert.deepEqual([pdf.bytes.equals(bytes), pdf.paper], [true, 'A4']);
    assert.equal((await repo.get('2026-W47'))!.hasPdf, true);
    assert.equal(await repo.pdf('2026-W01'), undefined);
  });

  test('delivery attempts read back per week and since a time, oldest first; the metrics figures count them', async (t) => {
    const repo = await open(t);
    assert.deepEqual(await repo.lastSuccess(), []);
    await repo.recordDelivery({ week: '2026-W47', channel: 'email', attempt: 1, at: T0, ok: false, error: 'connection refused' });
    await repo.recordDelivery({ week: '2026-W47', channel: 'webhook:chat', attempt: 1, at: T0 + 1, ok: true, error: null });
    await repo.recordDelivery({ week: '2026-W47', channel: 'email', attempt: 2, at: T0 + MIN, ok: true, error: null });
    await repo.recordDelivery({ week: '2026-W48', channel: 'email', attempt: 1, at: T0 + 7 * DAY, ok: false, error: 'timeout' });
    assert.deepEqual((await repo.deliveries('2026-W47')).map((a) => [a.channel, a.attempt, a.ok, a.error]), [
      ['email', 1, false, 'connection refused'], ['webhook:chat', 1, true, null], ['email', 2, true, null],
    ]);
    assert.deepEqual((await repo.deliveriesSince(T0 + 1)).map((a) => [a.week, a.at]), [['2026-W47', T0 + 1], ['2026-W47', T0 + MIN], ['2026-W48', T0 + 7 * DAY]]);
    assert.deepEqual((await repo.failureCounts()).sort((a, b) => a.channel.localeCompare(b.channel)), [{ channel: 'email', count: 2 }]);
    await repo.save(report('2026-W47', T0 - 7 * DAY));
    assert.deepEqual((await repo.lastSuccess()).sort((a, b) => a.channel.localeCompare(b.channel)), [
      { channel: 'archive', at: T0 + MIN }, { channel: 'email', at: T0 + MIN }, { channel: 'webhook:chat', at: T0 + 1 },
    ]);
  });

  test('the schedule state is set and read by name; a first state is stored only when none exists', async (t) => {
    const repo = await open(t);
    assert.equal(await repo.schedule('weekly'), undefined);
    assert.equal(await repo.initSchedule('weekly', { lastWeek: '2026-W46', dueAt: T0 - 7 * DAY, ranAt: T0 - 7 * DAY }), true);
    assert.equal(await repo.initSchedule('weekly', { lastWeek: '2026-W40', dueAt: 1, ranAt: 1 }), false);
    assert.deepEqual(await repo.schedule('weekly'), { lastWeek: '2026-W46', dueAt: T0 - 7 * DAY, ranAt: T0 - 7 * DAY });
    await repo.setSchedule('weekly', { lastWeek: '2026-W47', dueAt: T0, ranAt: T0 + 5 });
    assert.deepEqual(await repo.schedule('weekly'), { lastWeek: '2026-W47', dueAt: T0, ranAt: T0 + 5 });
    assert.equal(await repo.schedule('other'), undefined);
  });

  test('a week is claimed once: a second claim is refused while the first holds, and after it completes', async (t) => {
    const repo = await open(t);
    await repo.setSchedule('weekly', { lastWeek: '2026-W46', dueAt: T0 - 7 * DAY, ranAt: T0 - 7 * DAY });
    const claim = await repo.claimWeek('weekly', '2026-W47', T0, 10 * MIN);
    assert.deepEqual(claim, { week: '2026-W47', at: T0 });
    assert.equal(await repo.claimWeek('weekly', '2026-W47', T0 + MIN, 10 * MIN), null);
    await repo.completeWeek('weekly', { lastWeek: '2026-W47', dueAt: T0, ranAt: T0 + 2 * MIN }, claim!);
    assert.deepEqual(await repo.schedule('weekly'), { lastWeek: '2026-W47', dueAt: T0, ranAt: T0 + 2 * MIN });
    assert.equal(await repo.claimWeek('weekly', '2026-W47', T0 + 3 * MIN, 10 * MIN), null, 'produced: never claimed again');
    assert.equal(await repo.claimWeek('weekly', '2026-W46', T0 + 3 * MIN, 10 * MIN), null, 'an older week neither');
    assert.deepEqual(await repo.claimWeek('weekly', '2026-W48', T0 + 7 * DAY, 10 * MIN), { week: '2026-W48', at: T0 + 7 * DAY });
  });

  test('a released claim (a failed run) can be taken again; a lapsed one is taken over and the old holder cannot renew it', async (t) => {
    const repo = await open(t);
    const first = (await repo.claimWeek('weekly', '2026-W47', T0, 10 * MIN))!;
    await repo.releaseClaim('weekly', first);
    assert.equal(await repo.schedule('weekly'), undefined, 'nothing recorded as produced');
    const second = (await repo.claimWeek('weekly', '2026-W47', T0 + MIN, 10 * MIN))!;
    assert.ok(second);
    assert.equal(await repo.renewClaim('weekly', second, T0 + 5 * MIN, 10 * MIN), true);
    assert.equal(await repo.claimWeek('weekly', '2026-W47', T0 + 11 * MIN, 10 * MIN), null, 'renewed: held until T0 + 15 min');
    const third = await repo.claimWeek('weekly', '2026-W47', T0 + 15 * MIN, 10 * MIN);
    assert.deepEqual(third, { week: '2026-W47', at: T0 + 15 * MIN }, 'lapsed: taken over');
    assert.equal(await repo.renewClaim('weekly', second, T0 + 16 * MIN, 10 * MIN), false);
    await repo.releaseClaim('weekly', second); // the old holder's release does not free the new claim
    assert.equal(await repo.claimWeek('weekly', '2026-W47', T0 + 17 * MIN, 10 * MIN), null);
  });
}

describe('report claims on PostgreSQL across replicas', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server?.stop());

  test('replicas racing to claim one week: exactly one gets it, also when the schedule completes under them', async (t) => {
    const url = await server.createDatabase();
    const stores = await Promise.all([0, 1, 2].map(() => openPgStore({ url, maxConnections: 4, now: () => T0 })));
    t.after(() => Promise.all(stores.map((s) => s.close())));
    const replicas = stores.map((s) => new PgReportStore(s.pool));
    for (let w = 10; w < 30; w++) {
      const week = `2026-W${w}`;
      const claims = await Promise.all(replicas.flatMap((r) => [r.claimWeek('weekly', week, T0 + w, MIN), r.claimWeek('weekly', week, T0 + w, MIN)]));
      const won = claims.filter((c) => c !== null);
      assert.equal(won.length, 1, `${week}: one claim of six`);
      // The winner completes while the others try again: none gets the produced week.
      const again = await Promise.all([
        replicas[0]!.completeWeek('weekly', { lastWeek: week, dueAt: T0, ranAt: T0 + w }, won[0]!),
        ...replicas.map((r) => r.claimWeek('weekly', week, T0 + w + 1, MIN)),
      ]);
      // A claimer whose statement began before the completion committed may still take the
      // released claim; it then finds the week produced when it reads the schedule, and lets go (scheduler.ts).
      for (const [i, c] of again.slice(1).entries()) {
        if (c === null) continue;
        assert.equal((await replicas[i]!.schedule('weekly'))!.lastWeek, week);
        await replicas[i]!.releaseClaim('weekly', c as WeekClaim);
      }
    }
    assert.equal((await replicas[2]!.schedule('weekly'))!.lastWeek, '2026-W29');
  });

  test('two schedulers on one database produce a due week once; when the producer dies mid-run the other takes the week over after its lease', async (t) => {
    const url = await server.createDatabase();
    const stores = await Promise.all([0, 1].map(() => openPgStore({ url, maxConnections: 4, now: () => T0 })));
    t.after(() => Promise.all(stores.map((s) => s.close())));
    const [repoA, repoB] = stores.map((s) => new PgReportStore(s.pool)) as [PgReportStore, PgReportStore];
    // Monday 23 Nov 2026 08:00 Berlin is due; W47 is the week to produce, W46 was produced.
    const due = Date.parse('2026-11-23T07:00:00Z');
    await repoA.setSchedule(SCHEDULE_NAME, { lastWeek: '2026-W46', dueAt: due - 7 * DAY, ranAt: due - 7 * DAY });
    const runs: Array<{ replica: string; from: number }> = [];
    let hang = true;
    const replica = (name: string, repo: PgReportStore, clock: FakeClock) =>
      new ReportScheduler({
        service: {
          run: async (week: WeekRange) => {
            runs.push({ replica: name, from: week.from });
            // The first producer never finishes: killed mid-run (its clock stops, so it renews nothing).
            if (name === 'A' && hang) await new Promise(() => undefined);
            return { delivery: null } as never;
          },
        },
        archive: repo,
        settings: () => ({ enabled: true, cron: '0 8 * * MON', timezone: 'Europe/Berlin' }),
        log: silentLogger,
        clock,
        retryMs: 60_000,
      });
    const clockA = new FakeClock(due + 1000);
    const clockB = new FakeClock(due + 1000);
    const a = replica('A', repoA, clockA);
    const b = replica('B', repoB, clockB);
    t.after(() => {
      a.stop();
      b.stop();
    });
    void a.start();
    // A holds the claim before B looks (start() runs the check at once).
    for (let i = 0; i < 200 && runs.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await b.start();
    assert.deepEqual(runs.map((r) => r.replica), ['A'], 'B leaves the claimed week alone');
    assert.equal((await repoB.schedule(SCHEDULE_NAME))!.lastWeek, '2026-W46');

    // B looks again at its retry times; once A's lease has lapsed it produces the week, once.
    hang = false;
    for (let k = 0; k < 5 && runs.length < 2; k++) {
      await clockB.advanceAsync(60_000);
      await b.idle(); // the check the timer started (real round trips)
    }
    assert.ok(clockB.now() - clockA.now() >= CLAIM_LEASE_MS, 'not before the lease lapsed');
    assert.deepEqual(runs.map((r) => r.replica), ['A', 'B']);
    assert.equal(runs[1]!.from, runs[0]!.from, 'the same week');
    assert.equal(runs[0]!.from, weekRange({ year: 2026, week: 47 }, 'Europe/Berlin').from);
    assert.equal((await repoA.schedule(SCHEDULE_NAME))!.lastWeek, '2026-W47');
    for (let k = 0; k < 3; k++) {
      await clockB.advanceAsync(60_000);
      await b.idle();
    }
    assert.equal(runs.length, 2, 'produced once after the takeover');
  });
});
