import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimatedPoints, MAIN_THREAD_POINTS } from '../server/api/readPlace.js';

const H = 3_600_000;
const DAY = 24 * H;

test('a step of whole hours is estimated in hourly rollup rows per series', () => {
  assert.equal(estimatedPoints({ series: 1, from: 0, to: 30 * DAY, step: H, source: 'auto', shortestIntervalMs: 15_000 }), 30 * 24 + 1);
  assert.equal(estimatedPoints({ series: 100, from: 0, to: 30 * DAY, step: 2 * H, source: 'auto', shortestIntervalMs: undefined }), 100 * (30 * 24 + 1));
});

test('a raw read is estimated at 15 s, or at the shortest collector interval when a collector runs more often', () => {
  assert.equal(estimatedPoints({ series: 1, from: 0, to: DAY, step: 60_000, source: 'auto', shortestIntervalMs: 60_000 }), DAY / 15_000 + 1);
  assert.equal(estimatedPoints({ series: 1, from: 0, to: DAY, step: 60_000, source: 'auto', shortestIntervalMs: 5_000 }), DAY / 5_000 + 1);
  assert.equal(estimatedPoints({ series: 2, from: 0, to: DAY, step: H, source: 'raw', shortestIntervalMs: undefined }), 2 * (DAY / 15_000 + 1));
});

test('asking for rollups is estimated in hours whatever the step', () => {
  assert.equal(estimatedPoints({ series: 3, from: 0, to: DAY, step: 60_000, source: 'rollup', shortestIntervalMs: 1_000 }), 3 * 25);
});

test('one series over a day of raw samples stays on the HTTP thread; 100 series over 30 days of rollups do not', () => {
  assert.ok(estimatedPoints({ series: 1, from: 0, to: DAY, step: 60_000, source: 'auto', shortestIntervalMs: 15_000 }) <= MAIN_THREAD_POINTS);
  assert.ok(estimatedPoints({ series: 100, from: 0, to: 30 * DAY, step: H, source: 'auto', shortestIntervalMs: 15_000 }) > MAIN_THREAD_POINTS);
  assert.ok(estimatedPoints({ series: 20, from: 0, to: 3 * DAY, step: 60_000, source: 'auto', shortestIntervalMs: 15_000 }) > MAIN_THREAD_POINTS);
});
