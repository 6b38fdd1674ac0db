import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CollectorRunRecord } from '../server/store/types.js';
import { T0, tempStore } from './fixtures/store-helpers.js';

const run = (collectorId: string, i: number, ok: boolean): CollectorRunRecord => ({
  collectorId,
  startedAt: T0 + i * 60_000,
  durationMs: 5 + i,
  ok,
  samplesWritten: ok ? 10 : 0,
  ...(ok ? {} : { error: `attempt ${i} failed` }),
});

test('listRuns returns runs newest first, filtered by collector and limited', (t) => {
  const { store } = tempStore(t);
  for (let i = 0; i < 10; i++) store.recordRun(run(i % 2 ? 'b' : 'a', i, true), []);
  assert.deepEqual(store.listRuns({ limit: 3 }).map((r) => r.startedAt), [9, 8, 7].map((i) => T0 + i * 60_000));
  assert.deepEqual(store.listRuns({ collectorId: 'a' }).map((r) => r.collectorId), ['a', 'a', 'a', 'a', 'a']);
  assert.deepEqual(store.listRuns({ collectorId: 'zzz' }), []);
});

test('runSummaries gives each collector its last run, last success and failure streak', (t) => {
  const { store } = tempStore(t);
  // a: ok, ok, fail, fail, fail   b: fail, fail   c: fail, ok
  const plan: Array<[string, boolean]> = [
    ['a', true], ['b', false], ['a', true], ['c', false], ['a', false], ['b', false], ['a', false], ['c', true], ['a', false],
  ];
  const stored = plan.map(([id, ok], i) => store.recordRun(run(id, i, ok), []));
  const s = store.runSummaries();
  assert.deepEqual([...s.keys()].sort(), ['a', 'b', 'c']);
  assert.deepEqual(s.get('a'), { last: stored[8], lastSuccess: stored[2], consecutiveFailures: 3 });
  assert.deepEqual(s.get('b'), { last: stored[5], consecutiveFailures: 2 });
  assert.deepEqual(s.get('c'), { last: stored[7], lastSuccess: stored[7], consecutiveFailures: 0 });
});

test('the latest run and the latest success per collector are index seeks, not scans of history', (t) => {
  const { store } = tempStore(t);
  const queries = [
    'SELECT * FROM collector_runs WHERE collector_id = ? ORDER BY started_at DESC, id DESC LIMIT 1',
    'SELECT * FROM collector_runs WHERE collector_id = ? AND ok = 1 ORDER BY started_at DESC, id DESC LIMIT 1',
  ];
  for (const sql of queries) {
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('a') as Array<{ detail: string }>).map((p) => p.detail).join('; ');
    assert.match(plan, /SEARCH collector_runs USING (COVERING )?INDEX collector_runs_latest/, sql);
    assert.doesNotMatch(plan, /TEMP B-TREE/, sql);
  }
});

test('saveWorkloadVersion stores a new hash and returns the newest version again for an unchanged hash', (t) => {
  const { store } = tempStore(t);
  const v1 = store.saveWorkloadVersion({ hash: 'aa', path: '/etc/pb.yaml', source: 'workload: {id: a}', appliedAt: T0 });
  const same = store.saveWorkloadVersion({ hash: 'aa', path: '/etc/pb.yaml', source: 'workload: {id: a}', appliedAt: T0 + 1000 });
  assert.deepEqual(same, v1);
  const v2 = store.saveWorkloadVersion({ hash: 'bb', path: '/etc/pb.yaml', source: 'workload: {id: b}', appliedAt: T0 + 2000 });
  const back = store.saveWorkloadVersion({ hash: 'aa', path: '/etc/pb.yaml', source: 'workload: {id: a}', appliedAt: T0 + 3000 });
  assert.notEqual(back.id, v1.id, 'returning to an older text is a new version');
  assert.deepEqual(store.listWorkloadVersions(), [back, v2, v1].map(({ source: _s, ...rest }) => rest));
  assert.deepEqual(store.getWorkloadVersion(v2.id), v2);
  assert.equal(store.getWorkloadVersion(9999), undefined);
});
