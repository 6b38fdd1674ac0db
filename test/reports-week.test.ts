import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatWeek, isoWeekOf, lastCompletedWeek, parseReportWeek, parseWeek, startOfLocalDay, weekContaining, weekRange, weeksInYear, WeekError,
} from '../server/reports/week.js';

const iso = (t: number) => new Date(t).toISOString();

test('parseWeek accepts YYYY-Www and rejects malformed weeks and week numbers the year does not have', () => {
  assert.deepEqual(parseWeek('2026-W47'), { year: 2026, week: 47 });
  // 2026 starts on a Thursday: it has 53 ISO weeks, so W53 exists and W54 does not.
  assert.deepEqual(parseWeek('2026-W53'), { year: 2026, week: 53 });
  assert.throws(() => parseWeek('2026-W54'), (e: Error) => e instanceof WeekError && /2026 has ISO weeks 01 to 53/.test(e.message));
  assert.throws(() => parseWeek('2027-W53'), /2027 has ISO weeks 01 to 52/);
  assert.throws(() => parseWeek('2026-W00'), /01 to 53/);
  for (const bad of ['2026-47', '2026W47', '2026-w47', '2026-W7', 'last week', '']) {
    assert.throws(() => parseWeek(bad), /not an ISO week; write it as YYYY-Www/, bad);
  }
});

test('ISO week numbering follows the Thursday rule around New Year', () => {
  assert.deepEqual(isoWeekOf({ year: 2027, month: 1, day: 3 }), { year: 2026, week: 53 }); // a Sunday
  assert.deepEqual(isoWeekOf({ year: 2027, month: 1, day: 4 }), { year: 2027, week: 1 });
  assert.deepEqual(isoWeekOf({ year: 2024, month: 12, day: 30 }), { year: 2025, week: 1 }); // a Monday
  assert.equal(weeksInYear(2020), 53); // a leap year starting on a Wednesday
  assert.equal(weeksInYear(2025), 52);
  assert.equal(formatWeek({ year: 2026, week: 7 }), '2026-W07');
});

test('a Berlin week runs from local Monday midnight to the next, 167 or 169 hours across a clock change', () => {
  const w47 = weekRange(parseWeek('2026-W47'), 'Europe/Berlin');
  assert.deepEqual([iso(w47.from), iso(w47.to), w47.hours], ['2026-11-15T23:00:00.000Z', '2026-11-22T23:00:00.000Z', 168]);
  const spring = weekRange(parseWeek('2026-W13'), 'Europe/Berlin'); // clocks go forward Sun 29 Mar
  assert.deepEqual([iso(spring.from), iso(spring.to), spring.hours], ['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 167]);
  const autumn = weekRange(parseWeek('2026-W43'), 'Europe/Berlin'); // clocks go back Sun 25 Oct
  assert.deepEqual([iso(autumn.from), iso(autumn.to), autumn.hours], ['2026-10-18T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 169]);
  assert.deepEqual(autumn.days, ['2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25']);
});

test('local midnight that does not exist (Santiago springs forward at 00:00) starts the day at the change', () => {
  // 6 Sep 2026: 00:00 −04 becomes 01:00 −03; the day begins at 04:00Z.
  assert.equal(iso(startOfLocalDay({ year: 2026, month: 9, day: 6 }, 'America/Santiago')), '2026-09-06T04:00:00.000Z');
  assert.equal(weekRange(parseWeek('2026-W36'), 'America/Santiago').hours, 167);
});

test('weeks in a zone offset by half an hour keep 168 hours', () => {
  const w = weekRange(parseWeek('2026-W47'), 'Asia/Kolkata');
  assert.deepEqual([iso(w.from), w.hours], ['2026-11-15T18:30:00.000Z', 168]);
});

test('the week of an instant and the last complete week depend on the zone', () => {
  // Sun 22 Nov 23:30Z is already Monday 23 Nov in Berlin (W48) but still Sunday in UTC (W47).
  const t = Date.parse('2026-11-22T23:30:00Z');
  assert.deepEqual(weekContaining(t, 'Europe/Berlin'), { year: 2026, week: 48 });
  assert.deepEqual(weekContaining(t, 'UTC'), { year: 2026, week: 47 });
  assert.equal(formatWeek(lastCompletedWeek(t, 'Europe/Berlin')), '2026-W47');
  assert.equal(formatWeek(lastCompletedWeek(t, 'UTC')), '2026-W46');
});

test('a week that has not ended yet is refused as future, naming the latest complete week', () => {
  const now = Date.parse('2026-11-26T10:00:00Z');
  assert.equal(parseReportWeek('2026-W47', 'Europe/Berlin', now).id, '2026-W47');
  assert.throws(() => parseReportWeek('2026-W48', 'Europe/Berlin', now), /2026-W48 has not ended yet .*latest complete week is 2026-W47/);
  assert.throws(() => parseReportWeek('2027-W01', 'Europe/Berlin', now), /has not ended yet/);
  assert.throws(() => parseReportWeek('2026-W54', 'Europe/Berlin', now), /2026 has ISO weeks 01 to 53/);
});
