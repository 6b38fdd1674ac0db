import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Evaluator } from '../server/evaluation/evaluator.js';
import { evaluationTables } from '../server/evaluation/tables.js';
import { FakeClock } from './support/fake-clock.js';
import type { EvaluationSnapshot } from '../server/evaluation/snapshot.js';
import type { Transition } from '../server/evaluation/state.js';
import { silentLogger } from '../server/log.js';
import { openStore } from '../server/store/index.js';
import {
  agg, collectorStatus, every, HOUR, MINUTE, NOW, outcome, series, SETTINGS, testStore, threshold,
} from './support/evaluation.js';

const lat = threshold('lat', agg('latency_seconds', 'last', HOUR), { direction: 'max', target: 0.3, warning: 0.5, critical: 1 }, { pillar: 'reliability' });
const gone = threshold('gone', agg('latency_seconds', 'min', HOUR), { direction: 'max', target: 0.3 }, { pillar: 'reliability' });
const none = threshold('none', agg('missing_metric', 'avg', HOUR), { direction: 'max', target: 1 });
const spec = { indicators: [lat, gone, none], outcomes: [outcome('buy', [{ ref: 'lat' }, { ref: 'none' }])], settings: SETTINGS };
/** A healthy collector whose last success is always 30 s before the test's clock. */
const healthy = (now: () => number) => () => [
  collectorStatus('web', { lastSuccess: { startedAt: now() - 30_000, durationMs: 5, ok: true, samplesWritten: 1 } }),
];

test('the evaluator records transitions only on a status change, also across a restart, and keeps score history', async () => {
  const clock = new FakeClock(NOW);
  const { store, file } = testStore({ now: () => clock.now() });
  store.writeSamples(series('latency_seconds', { collector: 'web' }, every(5 * MINUTE, NOW - 55 * MINUTE, NOW), () => 0.2));
  const ev = new Evaluator({ store, tables: evaluationTables(store), collectors: healthy(() => clock.now()), log: silentLogger, clock });
  const seen: Array<[EvaluationSnapshot, Transition[]]> = [];
  ev.on('evaluated', (s, tr) => seen.push([s, tr]));
  assert.equal(ev.latest(), null);

  // Pass 1 (setSpec evaluates at once): every indicator is new → one transition each, from null.
  const first = ev.setSpec(spec);
  assert.equal(ev.latest(), first);
  assert.deepEqual(seen[0]![1].map((x) => [x.indicatorId, x.from, x.to]), [['lat', null, 'ok'], ['gone', null, 'ok'], ['none', null, 'no_data']]);

  // Pass 2, nothing changed → no transition.
  clock.advanceTo(NOW + MINUTE);
  ev.evaluateNow();
  assert.deepEqual(seen[1]![1], []);

  // Pass 3: the latest latency is 0.6 → warning, score 100 · (1 − 0.6) / (1 − 0.3) = 57.1.
  clock.advanceTo(NOW + 2 * MINUTE);
  store.writeSamples([{ name: 'latency_seconds', labels: { collector: 'web' }, ts: clock.now(), value: 0.6 }]);
  const third = ev.evaluateNow();
  assert.equal(third.indicators[0]!.status, 'warning');
  assert.deepEqual(
    seen[2]![1].map(({ indicatorId, at, from, to, value, score }) => ({ indicatorId, at, from, to, value, score })),
    [{ indicatorId: 'lat', at: NOW + 2 * MINUTE, from: 'ok', to: 'warning', value: 0.6, score: 57.1 }],
  );
  assert.deepEqual((await ev.history.transitions('lat')).map((x) => x.to), ['warning', 'ok'], 'newest first');
  assert.equal((await ev.history.recentTransitions(10)).length, 4);
  ev.stop();
  store.close();

  // Restart: a new store handle and evaluator. Still warning → no new transition; `since` survives.
  clock.advanceTo(NOW + 3 * MINUTE);
  const reopened = openStore({ path: file, now: () => clock.now() });
  // resume: false — evaluate at the restart (instead of resuming the stored snapshot), to see transitions against the stored state.
  const ev2 = new Evaluator({ store: reopened, tables: evaluationTables(reopened), collectors: healthy(() => clock.now()), log: silentLogger, clock, resume: false });
  const transitions: Transition[][] = [];
  ev2.on('evaluated', (_s, tr) => transitions.push(tr));
  ev2.setSpec(spec);
  assert.deepEqual(transitions, [[]]);
  assert.equal((await ev2.history.states()).get('lat')?.since, NOW + 2 * MINUTE);
  assert.equal((await ev2.history.states()).get('lat')?.evaluatedAt, NOW + 3 * MINUTE);

  // Score history: one sample per pass, through the store's range queries.
  const range = { from: NOW, to: NOW + 3 * MINUTE, step: MINUTE };
  const scores = ev2.history.indicatorHistory('lat', range);
  assert.equal(scores.source, 'raw');
  assert.deepEqual(scores.points, [[NOW, 100], [NOW + MINUTE, 100], [NOW + 2 * MINUTE, 57.1], [NOW + 3 * MINUTE, 57.1]]);
  assert.deepEqual(ev2.history.indicatorHistory('lat', range, 'value').points.map((p) => p[1]), [0.2, 0.2, 0.6, 0.6]);
  // A null score writes nothing: a gap, not a zero.
  assert.deepEqual(ev2.history.indicatorHistory('none', range).points, []);
  // outcome buy = lat only (none has no score): 100, 100, 57.1, 57.1; pillar reliability = mean(lat, gone).
  assert.deepEqual(ev2.history.outcomeHistory('buy', range).points.map((p) => p[1]), [100, 100, 57.1, 57.1]);
  assert.deepEqual(ev2.history.pillarHistory('reliability', range).points.map((p) => p[1]), [100, 100, 78.6, 78.6]);
  reopened.close();
});

test('setSpec without an indicator drops it from the snapshot and its state, keeping its transitions', async () => {
  const clock = new FakeClock(NOW);
  const { store } = testStore({ now: () => clock.now() });
  store.writeSamples(series('latency_seconds', { collector: 'web' }, [NOW - MINUTE], () => 0.2));
  const ev = new Evaluator({ store, tables: evaluationTables(store), collectors: healthy(() => clock.now()), log: silentLogger, clock });
  ev.setSpec(spec);
  assert.ok((await ev.history.states()).has('gone'));
  clock.advance(MINUTE);
  const after = ev.setSpec({ ...spec, indicators: [lat, none] });
  assert.deepEqual(after.indicators.map((i) => i.id), ['lat', 'none']);
  assert.equal(ev.latest(), after);
  assert.equal((await ev.history.states()).has('gone'), false);
  assert.equal((await ev.history.transitions('gone')).length, 1);
  store.close();
});

test('start evaluates every intervalMs after setSpec, re-arming after each pass, and stop cancels', () => {
  const clock = new FakeClock(NOW);
  const { store } = testStore({ now: () => clock.now() });
  const ev = new Evaluator({ store, tables: evaluationTables(store), collectors: healthy(() => clock.now()), log: silentLogger, clock });
  const passes: number[] = [];
  ev.on('evaluated', (s) => passes.push(s.at - NOW));
  ev.start();
  assert.equal(clock.pending(), 0, 'nothing to evaluate before a spec');
  assert.throws(() => ev.evaluateNow(), /setSpec\(\) must be called first/);

  ev.setSpec({ ...spec, settings: { ...SETTINGS, intervalMs: 30_000 } });
  assert.deepEqual(passes, [0]);
  assert.equal(clock.nextAt(), NOW + 30_000);

  clock.advance(29_999);
  assert.deepEqual(passes, [0], 'no pass before the interval is up');
  clock.advance(1);
  assert.deepEqual(passes, [0, 30_000]);
  assert.equal(clock.nextAt(), NOW + 60_000, 'the next pass is armed once the previous one ended');
  clock.advance(60_000);
  assert.deepEqual(passes, [0, 30_000, 60_000, 90_000]);

  ev.stop();
  assert.equal(clock.pending(), 0, 'stop cancels the armed pass');
  ev.evaluateNow();
  assert.equal(clock.pending(), 0, 'a manual pass after stop arms nothing');
  store.close();
});

test("a listener that calls evaluateNow during 'evaluated' is refused, and the pass still completes", () => {
  const { store } = testStore();
  const errors: string[] = [];
  const log = { ...silentLogger, error: (msg: string, f?: Record<string, unknown>) => void errors.push(`${msg}: ${String(f?.error)}`) };
  const ev = new Evaluator({ store, tables: evaluationTables(store), collectors: healthy(() => NOW), log, clock: new FakeClock(NOW) });
  ev.once('evaluated', () => ev.evaluateNow());
  const snap = ev.setSpec(spec);
  assert.equal(ev.latest(), snap);
  assert.deepEqual(errors, ["an 'evaluated' listener threw: an evaluation pass is already running"]);
  store.close();
});
