/**
 * Notification latency: 200 outcomes change status in one evaluation pass; how long from the
 * pass being handed to the notification engine (the evaluator's 'evaluated' event) until a
 * local HTTP receiver has each JSON webhook message (issue 15's benchmark).
 * `node --import tsx bench/notify.bench.ts`; prints figures, then `BENCH_JSON {...}`.
 *
 * Real parts: the engine, its SQLite tables (a migrated store in a temp directory), the weekly
 * report's webhook channel over loopback HTTP, the system clock. Each of 5 rounds turns all 200
 * outcomes critical (200 firing messages), then OK again (200 recoveries); every message is
 * timed from its pass to its receipt. Baseline, in the same run: the same 200 bodies POSTed
 * at once to the same receiver with fetch — what the HTTP part alone costs.
 */
import fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../server/clock.js';
import type { EvaluationSnapshot, IndicatorSnapshot, OutcomeSnapshot } from '../server/evaluation/snapshot.js';
import { silentLogger } from '../server/log.js';
import { NotificationEngine, NotificationStore, SilenceStore, type NotificationSettings } from '../server/notifications/index.js';
import { scoreOutcome } from '../server/scoring/outcome.js';
import { scorePillars } from '../server/scoring/pillar.js';
import type { Status } from '../server/scoring/types.js';
import { openStore } from '../server/store/index.js';

const N = 200;
const ROUNDS = 5;
const results: Array<{ metric: string; value: number; unit: string; target?: string; pass?: boolean }> = [];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

function snapshot(at: number, status: Status): EvaluationSnapshot {
  const score = status === 'ok' ? 100 : 0;
  const indicators: IndicatorSnapshot[] = Array.from({ length: N }, (_, i) => ({
    id: `i${i}`,
    title: `Checkout latency ${i}`,
    pillar: 'performance_efficiency',
    unit: 'seconds',
    weight: 1,
    kind: 'threshold',
    value: status === 'ok' ? 0.1 : 2,
    status,
    score,
    reason: status,
    objective: { target: 0.3, direction: 'max', critical: 1 },
    windowMs: 300_000,
    dataSince: at - 3_600_000,
    windowCoverage: 1,
    collectors: ['app'],
    series: 1,
  }));
  const outcomes: OutcomeSnapshot[] = indicators.map((i, n) => ({
    id: `o${n}`,
    title: `Customers can do thing ${n}`,
    owner: null,
    indicators: [{ ref: i.id, weight: 1, key: true }],
    ...scoreOutcome([{ id: i.id, title: i.title, weight: 1, key: true, result: { status, score } }]),
  }));
  const pillars = scorePillars(indicators.map((i) => ({ id: i.id, pillar: i.pillar, weight: 1, result: { status: i.status, score: i.score } })));
  return { at, indicators, outcomes, pillars, durationMs: 0 };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-bench-notify-'));
  const store = openStore({ path: path.join(dir, 'notify.db'), now: Date.now });
  let expect = 0;
  let onAll: () => void = () => undefined;
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(performance.now());
      res.writeHead(200).end('ok');
      if (arrivals.length === expect) onAll();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const settings: NotificationSettings = {
    channels: [{ name: 'hook', type: 'webhook', webhook: { name: 'hook', url, format: 'json', headers: {} } }],
    rules: [{ id: 'outcomes', outcomes: ['*'], pillars: [], indicators: [], statuses: ['warning', 'critical'], forMs: 0, recovery: true, channels: ['hook'], quietHours: true }],
    quietHours: [],
    retryDelaysMs: [1000],
    baseUrl: 'https://pillarboard.example',
  };
  const engine = new NotificationEngine({
    store: new NotificationStore(store.db),
    silences: new SilenceStore(store.db, Date.now),
    context: () => ({ settings, workload: { id: 'bench', title: 'Bench' }, timezone: 'UTC' }),
    clock: systemClock,
    log: silentLogger,
  });
  const wait = (n: number) =>
    new Promise<void>((resolve) => {
      arrivals.length = 0;
      expect = n;
      onAll = resolve;
    });

  // Baseline: the same number of JSON bodies POSTed at once, no engine.
  const base: number[] = [];
  const body = JSON.stringify({ event: 'pillarboard.notification', text: 'x'.repeat(400) });
  for (let r = -1; r < ROUNDS; r++) {
    const all = wait(N);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: N }, () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((x) => x.text())));
    await all;
    if (r >= 0) base.push(...arrivals.map((a) => a - t0)); // round -1 warms the connection pool up

  }

  engine.onEvaluated(snapshot(Date.now(), 'ok'));
  await engine.idle();
  const lat: number[] = [];
  const decide: number[] = [];
  const busy: number[] = [];
  const steady: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const status of ['critical', 'ok'] as const) {
      const all = wait(N);
      const s = snapshot(Date.now(), status);
      const elu0 = performance.eventLoopUtilization();
      const t0 = performance.now();
      engine.onEvaluated(s);
      decide.push(performance.now() - t0);
      await all;
      await engine.idle();
      // Main-thread time the whole round took: deciding, storing, sending 200 messages, recording 200 attempts.
      busy.push(performance.eventLoopUtilization(elu0).active);
      lat.push(...arrivals.map((a) => a - t0));
      // The next pass sees the same statuses: nothing to decide.
      const t1 = performance.now();
      engine.onEvaluated(snapshot(Date.now(), status));
      steady.push(performance.now() - t1);
      await engine.idle();
    }
  }
  const sent = store.db.prepare("SELECT count(*) FROM notification_deliveries WHERE state = 'sent'").pluck().get() as number;
  engine.stop();
  server.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (sent !== ROUNDS * 2 * N) throw new Error(`expected ${ROUNDS * 2 * N} deliveries sent, found ${sent}`);

  const p50 = pct(lat, 50);
  const p95 = pct(lat, 95);
  const b50 = pct(base, 50);
  const b95 = pct(base, 95);
  console.log(`${N} outcomes changing at once, ${ROUNDS} rounds × (firing + recovery) = ${lat.length} messages`);
  console.log(`status change → webhook received: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (max ${Math.max(...lat).toFixed(1)} ms)`);
  console.log(`  deciding and storing a pass of ${N} changes (synchronous, on the evaluator's thread): median ${pct(decide, 50).toFixed(1)} ms`);
  console.log(`  main thread busy for the whole round (decide, store, send ${N}, record ${N}; event-loop utilisation): median ${pct(busy, 50).toFixed(1)} ms`);
  console.log(`  a pass where nothing changed (${N} subjects watched): median ${pct(steady, 50).toFixed(2)} ms`);
  console.log(`baseline, ${N} bare POSTs at once: p50 ${b50.toFixed(1)} ms, p95 ${b95.toFixed(1)} ms → engine/baseline p50 ×${(p50 / b50).toFixed(2)}, p95 ×${(p95 / b95).toFixed(2)}`);
  results.push(
    { metric: 'notify_receipt_p50', value: Math.round(p50 * 10) / 10, unit: 'ms' },
    { metric: 'notify_receipt_p95', value: Math.round(p95 * 10) / 10, unit: 'ms', target: '≤ 1000 ms', pass: p95 <= 1000 },
    { metric: 'notify_decide_pass_median', value: Math.round(pct(decide, 50) * 10) / 10, unit: 'ms' },
    { metric: 'notify_round_busy_median', value: Math.round(pct(busy, 50) * 10) / 10, unit: 'ms' },
    { metric: 'notify_steady_pass_median', value: Math.round(pct(steady, 50) * 100) / 100, unit: 'ms' },
    { metric: 'baseline_post_p50', value: Math.round(b50 * 10) / 10, unit: 'ms' },
    { metric: 'baseline_post_p95', value: Math.round(b95 * 10) / 10, unit: 'ms' },
    { metric: 'p95_vs_baseline', value: Math.round((p95 / b95) * 100) / 100, unit: 'ratio' },
  );
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`BENCH_JSON ${JSON.stringify({ name: 'notify', results, peakRssMb })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
