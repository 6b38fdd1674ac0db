import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tickLabel, zoneTicks } from '../web/src/charts.js';
import { formatWhen, fromWallTime, setTimeZone, timeZone, zoneOffset } from '../web/src/format.js';
import { parseAnnotations } from '../web/src/annotations.js';

/**
 * The dashboard's times in the workload's zone (web/src/format.ts, charts.ts): chart ticks at
 * the zone's round hours, midnights and Mondays, across DST changes; day comparisons in the
 * zone. Pure functions of the page, run here without a browser.
 */

const H = 3_600_000;
const D = 24 * H;
const iso = (t: number) => new Date(t).toISOString();

test('chart ticks fall on the workload zone’s midnights and round hours, and are labelled in it', () => {
  setTimeZone('Asia/Kolkata');
  const to = Date.parse('2026-11-26T10:00:00Z');
  const week = zoneTicks(to - 7 * D, to, 8);
  assert.equal(week.step, D);
  assert.equal(iso(week.ticks[0]!), '2026-11-19T18:30:00.000Z', 'midnight in Kolkata (UTC+5:30)');
  assert.ok(week.ticks.every((t) => (t - week.ticks[0]!) % D === 0));
  assert.equal(tickLabel(week.ticks[0]!, week.step).replace(/,/g, ''), 'Fri Nov 20');

  const day = zoneTicks(to - D, to, 8);
  assert.equal(day.step, 3 * H);
  assert.deepEqual(day.ticks.slice(0, 3).map(iso), ['2026-11-25T12:30:00.000Z', '2026-11-25T15:30:00.000Z', '2026-11-25T18:30:00.000Z']);
  assert.deepEqual(day.ticks.slice(0, 3).map((t) => tickLabel(t, day.step)), ['18:00', '21:00', 'Nov 26']);

  const quarter = zoneTicks(to - 90 * D, to, 8);
  assert.equal(quarter.step, 14 * D);
  for (const t of quarter.ticks) assert.equal(new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Kolkata', weekday: 'short', hour: 'numeric', hourCycle: 'h23' }).format(t).replace(',', ''), 'Mon 00', 'weeks start on Monday at midnight');
});

test('ticks stay on the wall clock across daylight-saving changes', () => {
  setTimeZone('Europe/Berlin');
  // 29 March 2026: clocks go from 02:00 to 03:00.
  const spring = zoneTicks(Date.parse('2026-03-28T12:00:00Z'), Date.parse('2026-03-30T12:00:00Z'), 10);
  assert.equal(spring.step, 6 * H);
  const wall = spring.ticks.map((t) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t));
  assert.deepEqual(wall, ['28, 18:00', '29, 00:00', '29, 06:00', '29, 12:00', '29, 18:00', '30, 00:00', '30, 06:00', '30, 12:00']);
  // 25 October 2026: 03:00 back to 02:00; midnight is one instant, the day 25 hours.
  const autumn = zoneTicks(Date.parse('2026-10-24T12:00:00Z'), Date.parse('2026-10-27T12:00:00Z'), 4);
  assert.deepEqual(autumn.ticks.map(iso), ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', '2026-10-26T23:00:00.000Z']);
  assert.equal(zoneOffset(Date.parse('2026-07-01T00:00:00Z')), 2 * H);
  assert.equal(fromWallTime(Date.parse('2026-07-01T00:00:00Z')), Date.parse('2026-06-30T22:00:00Z'));
});

test('"today" and unknown zones', () => {
  setTimeZone('Pacific/Auckland');
  const now = Date.parse('2026-11-26T10:30:00Z'); // 23:30 in Auckland
  assert.match(formatWhen(Date.parse('2026-11-26T10:00:00Z'), now), /^23:00$/);
  assert.match(formatWhen(Date.parse('2026-11-26T11:30:00Z'), now), /Nov 27/, 'past midnight there: another day');
  assert.equal(setTimeZone('Mars/Olympus_Mons'), true);
  assert.equal(timeZone(), Intl.DateTimeFormat().resolvedOptions().timeZone, 'an unknown zone: the browser’s');
  setTimeZone('UTC');
  assert.equal(timeZone(), 'UTC');
});

test('annotations are read defensively, oldest first, numbered per kind', () => {
  const a = parseAnnotations([
    { time: '2026-11-26T10:00:00Z', kind: 'incident', title: 'Down', link: 'javascript:alert(1)' },
    { time: '2026-11-25T10:00:00Z', timeEnd: '2026-11-25T10:05:00Z', kind: 'deployment', title: 'v2', status: 'success', link: 'https://ci/2' },
    { time: 'yesterday', kind: 'deployment' },
    { time: '2026-11-24T10:00:00Z', kind: 'gameday' },
    { time: '2026-11-24T09:00:00Z', timeEnd: '2026-11-24T08:00:00Z', kind: 'deployment' },
  ]);
  assert.deepEqual(
    a.map((x) => [x.label, x.kind, x.end === null, x.link]),
    [
      ['D1', 'deployment', true, null],
      ['D2', 'deployment', false, 'https://ci/2'],
      ['I1', 'incident', true, null],
    ],
  );
  assert.equal(a[0]!.title, 'Deployment');
  assert.throws(() => parseAnnotations({}));
});
