import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationSchema, formatDuration, parseDuration } from '../server/workload/index.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('parseDuration reads Prometheus durations, single and compound', () => {
  const cases: Array<[string, number]> = [
    ['0', 0],
    ['0s', 0],
    ['500ms', 500],
    ['30s', 30 * S],
    ['5m', 5 * M],
    ['1h', H],
    ['1h30m', H + 30 * M],
    ['1m30s500ms', M + 30 * S + 500],
    ['15d', 15 * D],
    ['2w', 14 * D],
    ['1y', 365 * D],
    ['1y2w3d4h5m6s7ms', 365 * D + 14 * D + 3 * D + 4 * H + 5 * M + 6 * S + 7],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('parseDuration rejects an unknown unit, an empty string, a negative value and a wrong order', () => {
  assert.throws(() => parseDuration('5x'), /"5x" is not a duration; expected a duration like 30s/);
  assert.throws(() => parseDuration(''), /empty duration/);
  assert.throws(() => parseDuration('-1s'), /"-1s" is negative/);
  assert.throws(() => parseDuration('30m1h'), /largest first/);
  assert.throws(() => parseDuration('1h1h'), /not a duration/);
  assert.throws(() => parseDuration('1.5h'), /not a duration/);
  assert.throws(() => parseDuration('5'), /not a duration/);
  assert.throws(() => parseDuration('5 m'), /not a duration/);
});

test('formatDuration prints the shortest form, largest unit days, and round-trips', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(90 * M), '1h30m');
  assert.equal(formatDuration(400 * D), '400d');
  assert.equal(formatDuration(D + 1500), '1d1s500ms');
  for (const ms of [1, 999, 1000, 61_000, 3_600_001, 15 * D, 400 * D + 7]) assert.equal(parseDuration(formatDuration(ms)), ms);
  assert.throws(() => formatDuration(-1), RangeError);
  assert.throws(() => formatDuration(1.5), RangeError);
});

test('durationSchema turns a duration string into milliseconds', () => {
  assert.equal(durationSchema.parse('1h30m'), 90 * M);
  assert.equal(durationSchema.parse(' 30s '), 30 * S);
});

test('durationSchema rejects a bare number and says to write the unit', () => {
  const r = durationSchema.safeParse(60);
  assert.equal(r.success, false);
  assert.match(r.error!.issues[0]!.message, /a bare number is ambiguous; write the unit, e\.g\. "60s"/);
});

test('durationSchema rejects a malformed string with the reason', () => {
  const r = durationSchema.safeParse('5x');
  assert.equal(r.success, false);
  assert.match(r.error!.issues[0]!.message, /"5x" is not a duration/);
});
