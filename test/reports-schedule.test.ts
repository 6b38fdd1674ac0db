import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../server/log.js';
import { ReportArchive } from '../server/reports/archive.js';
import { SqliteReportRepository } from '../server/reports/sqliteArchive.js';
import { storeReportSources } from '../server/reports/read.js';
import { ReportScheduler, SCHEDULE_NAME } from '../server/reports/scheduler.js';
import { ReportService } from '../server/reports/service.js';
import type { Channel } from '../server/reports/channels.js';
import type { WeeklyReportSettings } from '../server/reports/settings.js';
import { testStore } from './support/evaluation.js';
import { seedAll, seededContext, TZ } from './support/reports-fixtures.js';
import { FakeClock } from './support/fake-clock.js';

/** Moves the clock to `t` one timer at a time (timers are at most a day long), letting each run finish. */
async function runUntil(time: FakeClock, s: ReportScheduler, t: number): Promise<void> {
  for (;;) {
    const next = time.armed()[0];
    if (next === undefined || next > t) break;
    time.advanceTo(next);
    await s.idle();
  }
  time.jumpTo(t);
}

const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString());

function setup(start: number, settings: Partial<WeeklyReportSettings> = {}, opts: { failRuns?: number } = {}) {
  const time = new FakeClock(start);
  const { store } = testStore({ now: () => time.now() });
  seedAll(store);
  const archive = new ReportArchive(store.db);
  const sent: string[] = [];
  const channel: Channel = { name: 'chat', send: async (m) => void sent.push((m.json as { week: string }).week) };
  const context = seededContext({ cron: '0 8 * * MON', webhooks: [], ...settings });
  const service = new ReportService({
    archive: new SqliteReportRepository(archive),
    sources: storeReportSources(store),
    workload: () => context,
    pdf: { render: async () => Buffer.from('%PDF-') },
    log: silentLogger,
    clock: time,
    channels: () => [channel],
  });
  let failures = opts.failRuns ?? 0;
  const flaky = {
    run: (...args: Parameters<ReportService['run']>) => {
      if (failures-- > 0) return Promise.reject(new Error('disk full'));
      return service.run(...args);
    },
  };
  const scheduler = () =>
    new ReportScheduler({
      service: flaky,
      archive: new SqliteReportRepository(archive),
      settings: () => ({ enabled: context.settings.enabled, cron: context.settings.cron, timezone: context.settings.timezone ?? TZ }),
      log: silentLogger,
      clock: time,
      retryMs: 600_000,
    });
  return { time, archive, service, scheduler, sent };
}

const WED_NOV_18 = Date.parse('2026-11-18T10:00:00Z');
const MON_NOV_23_0800_BERLIN = Date.parse('2026-11-23T07:00:00Z');
const MON_NOV_30_0800_BERLIN = Date.parse('2026-11-30T07:00:00Z');

test('on the very first start the schedule produces nothing and arms the next Monday 08:00 local', async () => {
  const { time, archive, scheduler } = setup(WED_NOV_18);
  const s = scheduler();
  await s.start();
  assert.deepEqual(archive.list(), []);
  // Last due time: Mon 16 Nov 08:00 → its week W46 is recorded as handled, not reported.
  assert.equal(archive.schedule(SCHEDULE_NAME)?.lastWeek, '2026-W46');
  assert.equal(iso((await s.status()).nextRunAt), '2026-11-23T07:00:00.000Z');
  // Timers are at most a day long: the clock is read again when one fires.
  assert.deepEqual(time.armed(), [WED_NOV_18 + 86_400_000]);
  s.stop();
  assert.deepEqual(time.armed(), []);
});

test('at Monday 08:00 the previous week is produced and sent once, and a restart the same day does not repeat it', async () => {
  const { time, archive, scheduler, sent } = setup(WED_NOV_18);
  const s = scheduler();
  await s.start();
  await runUntil(time, s, MON_NOV_23_0800_BERLIN);
  assert.deepEqual(archive.list().map((r) => [r.week, r.trigger, iso(r.generatedAt)]), [['2026-W47', 'schedule', '2026-11-23T07:00:00.000Z']]);
  assert.deepEqual(archive.schedule(SCHEDULE_NAME), { lastWeek: '2026-W47', dueAt: MON_NOV_23_0800_BERLIN, ranAt: MON_NOV_23_0800_BERLIN });
  assert.equal((await s.status()).nextRunAt, MON_NOV_30_0800_BERLIN);
  s.stop();

  // Restart at 09:30 the same Monday: W47 is done, nothing runs again.
  time.jumpTo(MON_NOV_23_0800_BERLIN + 90 * 60_000);
  const again = scheduler();
  await again.start();
  assert.equal(archive.list().length, 1);
  assert.equal(archive.list()[0]!.generatedAt, MON_NOV_23_0800_BERLIN);
  assert.equal((await again.status()).nextRunAt, MON_NOV_30_0800_BERLIN);
  again.stop();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent, ['2026-W47']);
});

test('after a downtime across Monday 08:00 the missed week is caught up on start', async () => {
  // The server produced W46 last Monday, then was down from Sunday to Wednesday 25 Nov.
  const { time, archive, scheduler, service, sent } = setup(Date.parse('2026-11-25T06:00:00Z'));
  archive.setSchedule(SCHEDULE_NAME, { lastWeek: '2026-W46', dueAt: Date.parse('2026-11-16T07:00:00Z'), ranAt: Date.parse('2026-11-16T07:00:01Z') });
  const s = scheduler();
  await s.start();
  assert.deepEqual(archive.list().map((r) => [r.week, r.trigger]), [['2026-W47', 'catch-up']]);
  assert.equal(archive.schedule(SCHEDULE_NAME)?.lastWeek, '2026-W47');
  await service.lastDelivery;
  assert.deepEqual(sent, ['2026-W47']);
  assert.deepEqual(archive.deliveries('2026-W47').map((d) => [d.channel, d.attempt, d.ok]), [['chat', 1, true]]);
  assert.equal((await s.status()).nextRunAt, MON_NOV_30_0800_BERLIN);
  s.stop();
});

test('a daily cron still produces one report a week', async () => {
  const { time, archive, scheduler } = setup(WED_NOV_18, { cron: '0 8 * * *' });
  const s = scheduler();
  await s.start();
  await runUntil(time, s, Date.parse('2026-11-26T07:00:00Z'));
  // Thu 19 … Thu 26 Nov 08:00: only the Monday 23 Nov run had a new complete week (W47).
  assert.deepEqual(archive.list().map((r) => r.week), ['2026-W47']);
  s.stop();
});

test('a failed run is retried after the retry delay and then recorded', async () => {
  const { time, archive, scheduler } = setup(WED_NOV_18, {}, { failRuns: 1 });
  const s = scheduler();
  await s.start();
  await runUntil(time, s, MON_NOV_23_0800_BERLIN);
  assert.deepEqual(archive.list(), []);
  assert.equal(archive.schedule(SCHEDULE_NAME)?.lastWeek, '2026-W46');
  assert.deepEqual(time.armed(), [MON_NOV_23_0800_BERLIN + 600_000], 'retry in 10 minutes, before next week');
  await runUntil(time, s, MON_NOV_23_0800_BERLIN + 600_000);
  assert.deepEqual(archive.list().map((r) => [r.week, r.trigger]), [['2026-W47', 'catch-up']]);
  s.stop();
});

test('a disabled schedule runs nothing and arms no timer', async () => {
  const { time, archive, scheduler } = setup(MON_NOV_23_0800_BERLIN + 1000, { enabled: false });
  archive.setSchedule(SCHEDULE_NAME, { lastWeek: '2026-W46', dueAt: 0, ranAt: 0 });
  const s = scheduler();
  await s.start();
  assert.deepEqual(archive.list(), []);
  assert.deepEqual(time.armed(), []);
  assert.equal((await s.status()).enabled, false);
});
