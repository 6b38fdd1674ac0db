import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { Runtime } from '../server/runtime.js';
import { createApp } from '../server/api/app.js';
import { silentLogger } from '../server/log.js';
import { Evaluator, evaluationTables, type EvaluationSnapshot } from '../server/evaluation/index.js';
import { openStore } from '../server/store/index.js';
import { agg, HOUR, NOW, SETTINGS, testStore, threshold } from './support/evaluation.js';
import { serve, type LocalServer } from './support/local-server.js';
import { tempDir } from './support/tmp.js';
import { FakeClock, clockAt } from './support/fake-clock.js';
import { checkedFetch } from './support/api-request.js';
import { assertEventConforms } from './support/api-contract.js';

/**
 * A restart must be invisible on the wall (issue 10 item 4): the second process resumes the
 * last evaluation, the collectors' state and the stream from the store, and nothing turns
 * stale because the process was down — only a collector that had really stopped delivering.
 * Time is a fake clock; the collectors run against a real loopback HTTP target.
 */

const SEC = 1000;
const dir = tempDir();
const configPath = path.join(dir, 'workload.yaml');
const dbPath = path.join(dir, 'pb.db');
let clock = Date.UTC(2026, 11, 7, 14, 0, 0);
const now = () => clock;

let target: LocalServer;
const workload = (url: string) => `workload: { id: restart, title: "Restart" }
collectors:
  - { id: probe, type: http, interval: 10s, targets: ["${url}/ok"] }
  - { id: gone, type: http, interval: 10s, targets: ["${url}/ok"] }
indicators:
  - id: up
    title: "Target up"
    pillar: reliability
    unit: ratio
    series: 'probe_success{collector="probe"}'
    aggregate: last
    window: 5m
    objective: { min: 1 }
  - id: gone_up
    title: "Target up (collector that stopped)"
    pillar: reliability
    unit: ratio
    series: 'probe_success{collector="gone"}'
    aggregate: last
    window: 5m
    objective: { min: 1 }
outcomes:
  - { id: online, title: "Online", indicators: [up] }
evaluation: { interval: 60s, stale_after_failures: 3 }
`;

/** "Starts the server": the runtime serve builds (workload, collectors, evaluation) and its HTTP app. */
async function start(): Promise<{ runtime: Runtime; base: string; server: Server }> {
  const runtime = new Runtime({ configPath, dbPath, env: {}, log: silentLogger, version: '0.0.0-test', watch: false, clock: clockAt(now) });
  // Collectors and evaluations are driven by the test (runOnce, evaluateNow), not by timers.
  runtime.load(false, { evaluate: true });
  const server = createApp(runtime.apiDeps()).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  return { runtime, server, base: `http://127.0.0.1:${port}` };
}

async function stop(s: { runtime: Runtime; server: Server }): Promise<void> {
  s.server.closeAllConnections();
  await new Promise((r) => s.server.close(r));
  await s.runtime.close(1000);
}

/** The first `summary` event of /api/stream. */
async function firstStreamEvent(base: string): Promise<any> {
  const ctrl = new AbortController();
  const res = await checkedFetch(`${base}/api/stream`, { signal: ctrl.signal });
  const reader = res.body!.getReader();
  let text = '';
  try {
    while (!/event: summary\ndata: .*\n\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before a summary: ${text}`);
      text += new TextDecoder().decode(value);
    }
  } finally {
    ctrl.abort();
  }
  const data = /event: summary\ndata: (.*)\n\n/.exec(text)![1]!;
  assertEventConforms('/api/stream', 'summary', data);
  return JSON.parse(data);
}

const statuses = (s: EvaluationSnapshot) => Object.fromEntries(s.indicators.map((i) => [i.id, i.status]));

after(() => target?.close());

test('after a restart longer than the staleness bound, nothing turns stale: the last evaluation, collector state and stream resume', async () => {
  target = await serve((_req, res) => res.writeHead(200).end('ok'));
  fs.writeFileSync(configPath, workload(target.url));

  // First process: both collectors deliver, then `gone` stops delivering (only `probe` runs)
  // for longer than its staleness bound (3 × 10 s): its indicator is stale before the restart.
  const first = await start();
  await first.runtime.scheduler.runOnce();
  clock += 35 * SEC;
  await first.runtime.scheduler.runOnce(['probe']);
  const before = first.runtime.evaluator.evaluateNow();
  assert.deepEqual(statuses(before), { up: 'ok', gone_up: 'stale' });
  await stop(first);

  // Down for 45 s: more than the 30 s staleness bound of both collectors, less than three
  // evaluation intervals.
  clock += 45 * SEC;
  const second = await start();
  try {
    // The last evaluation is resumed as it was, not re-evaluated into stale.
    const resumed = second.runtime.evaluator.latest()!;
    assert.equal(resumed.at, before.at);
    assert.deepEqual(statuses(resumed), { up: 'ok', gone_up: 'stale' });

    // The stream's first event carries it, not stale, with the collectors' state from the store.
    const event = await firstStreamEvent(second.base);
    assert.equal(event.evaluatedAt, new Date(before.at).toISOString());
    assert.equal(event.stale, false);
    assert.equal(event.indicators.stale, 1, 'only the indicator of the collector that had stopped');
    assert.equal(event.indicators.ok, 1);
    assert.deepEqual(event.collectors, { total: 2, up: 2, failing: [] });
    const collectors = (await (await checkedFetch(`${second.base}/api/collectors`)).json()) as any;
    const probe = collectors.collectors.find((c: { id: string }) => c.id === 'probe');
    assert.equal(probe.lastSuccess.startedAt, new Date(clock - 45 * SEC).toISOString());

    // The next pass, before any collector has run again: the downtime does not count, so the
    // healthy collector's indicator stays ok; the one that had stopped is still stale.
    const next = second.runtime.evaluator.evaluateNow();
    assert.deepEqual(statuses(next), { up: 'ok', gone_up: 'stale' });
    const since = (await second.runtime.history.transitions('up', 10)).filter((t) => t.at > before.at);
    assert.deepEqual(since, [], 'no transition (no ok → stale → ok flap) across the restart');

    // Stale still means the data stopped: 30 s after the restart without a run, it is.
    clock += 31 * SEC;
    assert.equal(statuses(second.runtime.evaluator.evaluateNow()).up, 'stale');
  } finally {
    await stop(second);
  }
});

test('a restart with a changed workload, or after more than three evaluation intervals, evaluates anew instead of resuming', async () => {
  fs.writeFileSync(configPath, workload(target.url));
  const first = await start();
  await first.runtime.scheduler.runOnce();
  const before = first.runtime.evaluator.evaluateNow();
  await stop(first);

  clock += 3 * 60 * SEC + SEC;
  const late = await start();
  const afterLong = late.runtime.evaluator.latest()!;
  await stop(late);
  assert.equal(afterLong.at, clock, 'evaluated at the start, not resumed');
  assert.notEqual(afterLong.at, before.at);

  clock += SEC;
  fs.writeFileSync(configPath, workload(target.url).replace('title: "Target up"', 'title: "Target is up"'));
  const changed = await start();
  try {
    const snap = changed.runtime.evaluator.latest()!;
    assert.equal(snap.at, clock, 'a snapshot of another workload is not resumed');
    assert.equal(snap.indicators[0]!.title, 'Target is up');
  } finally {
    await stop(changed);
  }
});

test('a resumed snapshot is re-evaluated when the previous process would have evaluated next, not a whole interval after the start', () => {
  const clock = new FakeClock(NOW);
  const { store, file } = testStore({ now: () => clock.now() });
  const spec = { indicators: [threshold('x', agg('x', 'last', HOUR), { direction: 'max', target: 1 })], outcomes: [], settings: SETTINGS };
  const first = new Evaluator({ store, tables: evaluationTables(store), collectors: () => [], log: silentLogger, clock });
  const evaluatedAt = first.setSpec(spec).at;
  store.close();

  clock.advance(20_000); // restarted 20 s after the last pass; the interval is 60 s
  const reopened = openStore({ path: file, now: () => clock.now() });
  try {
    const second = new Evaluator({ store: reopened, tables: evaluationTables(reopened), collectors: () => [], log: silentLogger, clock });
    second.setSpec(spec);
    second.start();
    assert.equal(second.latest()!.at, evaluatedAt, 'resumed');
    assert.equal(clock.nextAt(), evaluatedAt + 60_000, 'next pass when the previous process would have run it (40 s from now)');
    clock.advance(1000);
    second.evaluateNow(); // e.g. after the collectors' first runs: from then on, whole intervals
    assert.equal(clock.nextAt(), clock.now() + SETTINGS.intervalMs);
    second.stop();
    assert.equal(clock.pending(), 0);
  } finally {
    reopened.close();
  }
});
