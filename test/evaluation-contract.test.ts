/**
 * The evaluation tables' contract (issue 14): indicator_state, indicator_transitions and
 * evaluation_last through the asynchronous EvaluationRepository, the same tests once per
 * backend — SQLite through its adapter and PostgreSQL on a real server started for this file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { EvaluationRepository } from '../server/evaluation/backend.js';
import { PgEvaluationStore } from '../server/evaluation/pgState.js';
import type { EvaluationSnapshot, IndicatorSnapshot } from '../server/evaluation/snapshot.js';
import { SqliteEvaluationRepository } from '../server/evaluation/sqliteState.js';
import type { Status } from '../server/scoring/types.js';
import { Evaluator } from '../server/evaluation/evaluator.js';
import { EvaluationHistory } from '../server/evaluation/history.js';
import { silentLogger } from '../server/log.js';
import { openPgStore } from '../server/store/pg/store.js';
import { agg, collectorStatus, HOUR, SETTINGS, testStore, threshold } from './support/evaluation.js';
import { FakeClock } from './support/fake-clock.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';
import { postgresBackend, sqliteBackend, type StoreBackend } from './support/store-backends.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;

function indicator(id: string, status: Status, value: number | null = status === 'no_data' ? null : 1, score: number | null = value === null ? null : 90): IndicatorSnapshot {
  return {
    id, title: id, pillar: 'reliability', unit: '', weight: 1, kind: 'threshold', value, status, score, reason: `${id} is ${status}`,
    windowMs: MIN, dataSince: null, windowCoverage: null, collectors: [], series: 0,
  };
}

function snapshot(at: number, indicators: IndicatorSnapshot[]): EvaluationSnapshot {
  return { at, indicators, outcomes: [], pillars: {} as EvaluationSnapshot['pillars'], durationMs: 3 };
}

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`evaluation tables contract on ${backend.name}`, { skip: backend.skip }, () => {
    before(() => backend.setup());
    after(() => backend.teardown());
    contract(backend);
  });
}

function contract(backend: StoreBackend): void {
  const open = (t: TestContext): Promise<EvaluationRepository> =>
    backend.openTables<EvaluationRepository>(t, () => T0, { sqlite: (db) => new SqliteEvaluationRepository(db), postgres: (pool) => new PgEvaluationStore(pool) });

  test('the repository names its backend', async (t) => {
    assert.equal((await open(t)).backend, backend.name);
  });

  test('a first pass records a transition from null for every indicator, in the pass order, and their states', async (t) => {
    const repo = await open(t);
    const written = await repo.recordPass(T0, [indicator('b', 'ok'), indicator('a', 'no_data'), indicator('c', 'critical', 7, 10)]);
    assert.deepEqual(written.map((x) => [x.indicatorId, x.at, x.from, x.to, x.value, x.score, x.reason]), [
      ['b', T0, null, 'ok', 1, 90, 'b is ok'],
      ['a', T0, null, 'no_data', null, null, 'a is no_data'],
      ['c', T0, null, 'critical', 7, 10, 'c is critical'],
    ]);
    assert.ok(written[0]!.id < written[1]!.id && written[1]!.id < written[2]!.id, 'ids ascend in the pass order');
    const states = await repo.states();
    assert.deepEqual(states.get('c'), { indicatorId: 'c', status: 'critical', since: T0, value: 7, score: 10, reason: 'c is critical', evaluatedAt: T0 });
    assert.equal(states.size, 3);
  });

  test('a later pass records only status changes, keeps since while a status holds and updates the rest of the state', async (t) => {
    const repo = await open(t);
    await repo.recordPass(T0, [indicator('a', 'ok'), indicator('b', 'ok')]);
    const second = await repo.recordPass(T0 + MIN, [indicator('a', 'ok', 2, 80), indicator('b', 'warning', 5, 50)]);
    assert.deepEqual(second.map((x) => [x.indicatorId, x.from, x.to, x.at]), [['b', 'ok', 'warning', T0 + MIN]]);
    const third = await repo.recordPass(T0 + 2 * MIN, [indicator('a', 'ok', 3, 70), indicator('b', 'warning', 6, 40)]);
    assert.deepEqual(third, []);
    const states = await repo.states();
    assert.deepEqual(states.get('a'), { indicatorId: 'a', status: 'ok', since: T0, value: 3, score: 70, reason: 'a is ok', evaluatedAt: T0 + 2 * MIN });
    assert.deepEqual([states.get('b')!.since, states.get('b')!.value], [T0 + MIN, 6]);
  });

  test('a NaN value is stored and read back as null', async (t) => {
    const repo = await open(t);
    const [tr] = await repo.recordPass(T0, [indicator('n', 'ok', Number.NaN, 50)]);
    assert.equal(tr!.value, null);
    assert.equal((await repo.states()).get('n')!.value, null);
    assert.equal((await repo.transitions('n'))[0]!.value, null);
  });

  test('a pass with the last snapshot stores it with its spec key; lastAt reads its time alone', async (t) => {
    const repo = await open(t);
    assert.equal(await repo.loadLast(), null);
    assert.equal(await repo.lastAt(), null);
    const snap = snapshot(T0, [indicator('a', 'ok', 0.25, 99.5)]);
    await repo.recordPass(T0, snap.indicators, { snapshot: snap, specKey: 'k1' });
    assert.deepEqual(await repo.loadLast(), { snapshot: snap, specKey: 'k1' });
    const later = snapshot(T0 + MIN, [indicator('a', 'warning')]);
    await repo.saveLast({ snapshot: later, specKey: 'k2' });
    assert.deepEqual(await repo.loadLast(), { snapshot: later, specKey: 'k2' });
    assert.equal(await repo.lastAt(), T0 + MIN);
    // A pass without a snapshot leaves the stored one alone.
    await repo.recordPass(T0 + 2 * MIN, [indicator('a', 'ok')]);
    assert.equal(await repo.lastAt(), T0 + MIN);
  });

  test('transition reads are newest first, per indicator or across all, and limited', async (t) => {
    const repo = await open(t);
    const seq: Status[] = ['ok', 'warning', 'critical', 'ok'];
    for (const [k, s] of seq.entries()) await repo.recordPass(T0 + k * MIN, [indicator('a', s), indicator('b', k < 2 ? 'ok' : 'stale')]);
    assert.deepEqual((await repo.transitions('a')).map((x) => x.to), ['ok', 'critical', 'warning', 'ok']);
    assert.deepEqual((await repo.transitions('a', 2)).map((x) => [x.to, x.from]), [['ok', 'critical'], ['critical', 'warning']]);
    assert.deepEqual((await repo.recentTransitions(3)).map((x) => [x.indicatorId, x.to]), [['a', 'ok'], ['b', 'stale'], ['a', 'critical']]);
    assert.equal((await repo.recentTransitions()).length, 6);
    assert.deepEqual(await repo.transitions('nobody'), []);
    await assert.rejects(repo.transitions('a', 0), /limit must be a positive integer, got 0/);
    await assert.rejects(repo.recentTransitions(1.5), /limit must be a positive integer, got 1.5/);
  });

  test('transitionsBetween gives each status in force at the start and the changes in [from, to), oldest first', async (t) => {
    const repo = await open(t);
    await repo.recordPass(T0, [indicator('a', 'ok'), indicator('b', 'ok')]);
    await repo.recordPass(T0 + MIN, [indicator('a', 'warning'), indicator('b', 'ok')]);
    await repo.recordPass(T0 + 2 * MIN, [indicator('a', 'critical'), indicator('b', 'warning'), indicator('c', 'ok')]);
    await repo.recordPass(T0 + 3 * MIN, [indicator('a', 'ok'), indicator('b', 'warning'), indicator('c', 'ok')]);
    const r = await repo.transitionsBetween(T0 + 2 * MIN, T0 + 3 * MIN);
    assert.deepEqual(r.atStart, { a: 'warning', b: 'ok' });
    assert.deepEqual(r.during, [
      { indicatorId: 'a', at: T0 + 2 * MIN, to: 'critical' },
      { indicatorId: 'b', at: T0 + 2 * MIN, to: 'warning' },
      { indicatorId: 'c', at: T0 + 2 * MIN, to: 'ok' },
    ]);
    assert.deepEqual(await repo.transitionsBetween(T0 - MIN, T0), { atStart: {}, during: [] });
  });

  test('retainOnly deletes the state of indicators not kept and keeps their transitions; prune deletes older transitions', async (t) => {
    const repo = await open(t);
    await repo.recordPass(T0, [indicator('a', 'ok'), indicator('gone', 'ok')]);
    await repo.recordPass(T0 + MIN, [indicator('a', 'warning'), indicator('gone', 'ok')]);
    assert.equal(await repo.retainOnly(new Set(['a', 'never-stored'])), 1);
    assert.deepEqual([...(await repo.states()).keys()], ['a']);
    assert.equal((await repo.transitions('gone')).length, 1);
    // A removed indicator that comes back starts anew: a transition from null.
    const back = await repo.recordPass(T0 + 2 * MIN, [indicator('a', 'warning'), indicator('gone', 'ok')]);
    assert.deepEqual(back.map((x) => [x.indicatorId, x.from]), [['gone', null]]);
    assert.equal(await repo.pruneTransitions(T0 + MIN), 2);
    assert.deepEqual((await repo.recentTransitions()).map((x) => x.at), [T0 + 2 * MIN, T0 + MIN]);
    assert.equal(await repo.retainOnly(new Set()), 2);
    assert.equal((await repo.states()).size, 0);
  });
}

describe('evaluation tables on PostgreSQL', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server.stop());

  test('a pass of 500 indicators is one statement: the server sees one query for it', async (t) => {
    const store = await openPgStore({ url: await server.createDatabase(), maxConnections: 2, now: () => T0 });
    t.after(() => store.close());
    const repo = new PgEvaluationStore(store.pool);
    const many = Array.from({ length: 500 }, (_, k) => indicator(`i${k}`, k % 2 ? 'ok' : 'warning'));
    let queries = 0;
    const original = store.pool.query.bind(store.pool);
    store.pool.query = ((...args: Parameters<typeof original>) => {
      queries++;
      return original(...args);
    }) as typeof store.pool.query;
    const snap = snapshot(T0, many);
    const written = await repo.recordPass(T0, many, { snapshot: snap, specKey: 'k' });
    assert.equal(queries, 1);
    assert.equal(written.length, 500);
    assert.equal((await repo.states()).size, 500);
    assert.equal((await repo.loadLast())!.snapshot.indicators.length, 500);
  });

  test('a pass repeating an indicator id is refused naming it, and stores nothing', async (t) => {
    const store = await openPgStore({ url: await server.createDatabase(), maxConnections: 2, now: () => T0 });
    t.after(() => store.close());
    const repo = new PgEvaluationStore(store.pool);
    await assert.rejects(repo.recordPass(T0, [indicator('a', 'ok'), indicator('a', 'warning')]), /id "a" appears twice/);
    assert.equal((await repo.states()).size, 0);
  });

  test('an evaluator whose tables are on PostgreSQL evaluates, persists each pass and resumes it after a restart', async (t) => {
    const pgStore = await openPgStore({ url: await server.createDatabase(), maxConnections: 2, now: () => T0 });
    t.after(() => pgStore.close());
    const repo = new PgEvaluationStore(pgStore.pool);
    const clock = new FakeClock(T0);
    const { store } = testStore({ now: () => clock.now() });
    t.after(() => store.close());
    store.writeSamples([{ name: 'latency_seconds', labels: { collector: 'web' }, ts: T0 - MIN, value: 0.2 }]);
    const lat = threshold('lat', agg('latency_seconds', 'last', HOUR), { direction: 'max', target: 0.3, warning: 0.5, critical: 1 });
    const spec = { indicators: [lat], outcomes: [], settings: SETTINGS };
    const collectors = () => [collectorStatus('web', { lastSuccess: { startedAt: clock.now() - 30_000, durationMs: 5, ok: true, samplesWritten: 1 } })];
    const make = () => new Evaluator({ store, tables: { repository: repo, history: new EvaluationHistory(store, repo) }, collectors, log: silentLogger, clock });

    const ev = make();
    assert.throws(() => ev.setSpec(spec), /setSpec\(\) persists synchronously and needs the SQLite evaluation tables \(tables\.sync\)/);
    const seen: string[][] = [];
    ev.on('evaluated', (_s, tr) => seen.push(tr.map((x) => `${x.indicatorId}:${x.from}->${x.to}`)));
    const first = await ev.setSpecSoon(spec);
    assert.equal(first!.indicators[0]!.status, 'ok');
    assert.deepEqual(seen, [['lat:null->ok']]);
    clock.advance(MIN);
    store.writeSamples([{ name: 'latency_seconds', labels: { collector: 'web' }, ts: clock.now(), value: 0.7 }]);
    assert.throws(() => ev.evaluateNow(), /evaluateNow\(\) persists synchronously/);
    const second = await ev.evaluateSoon();
    assert.equal(second!.indicators[0]!.status, 'warning');
    assert.deepEqual(seen[1], ['lat:ok->warning']);
    assert.deepEqual((await ev.history.transitions('lat')).map((x) => x.to), ['warning', 'ok']);
    assert.deepEqual((await repo.loadLast())!.snapshot, second);
    ev.stop();

    // A restart within the resume bound shows the stored pass again without evaluating.
    clock.advance(MIN);
    const again = make();
    let passes = 0;
    again.on('evaluated', () => passes++);
    assert.deepEqual(await again.setSpecSoon(spec), second);
    assert.equal(passes, 0);
    assert.equal((await repo.states()).get('lat')!.since, T0 + MIN);
    again.stop();
  });
});
