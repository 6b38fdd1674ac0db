import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Sample } from '../../collectors/types.js';
import { createApp } from '../../server/api/app.js';
import { HISTORY_SERIES } from '../../server/evaluation/history-series.js';
import { silentLogger } from '../../server/log.js';
import { Runtime } from '../../server/runtime.js';
import { recordContract } from './api-recorder.js';

/**
 * A Pillarboard server for the dashboard's browser tests and benchmark: a fixture workload
 * whose six pillars show six different statuses, 30 days of seeded score history, and a
 * collector that keeps failing. Uses the real clock (the page compares times with its own).
 * Not tied to node:test, so the benchmark can use it too: call `close()`.
 */

const ROOT = path.resolve(__dirname, '..', '..');
export const WEB_DIST = path.join(ROOT, 'web', 'dist');

/** Builds web/dist if missing (a clean clone before `npm run build`); esbuild only, a few seconds. */
export function ensureWebBuilt(): void {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  execFileSync(process.execPath, [path.join(ROOT, 'web', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
}

/** The fixture workload's time zone: off UTC by a half hour, so a page showing UTC or the browser's zone is caught. */
export const TIMEZONE = 'Asia/Kolkata';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * `replicaIndicators` more reliability indicators ("Replica N lag"), every fifth warning, every
 * seventh without data, the rest OK: a pillar page with more rows than a wall screen holds.
 */
function workloadYaml(extraOutcomes: number, extraIndicators = '', replicaIndicators = 0): string {
  const extra: string[] = [];
  const indicators: string[] = [];
  for (let i = 0; i < replicaIndicators; i++) {
    indicators.push(`  - id: lag_${i}
    title: "Replica ${i + 1} replication lag"
    pillar: reliability
    unit: seconds
    series: 'replica_lag_seconds{replica="${i}"}'
    window: 1h
    objective: { max: 5, warning: 10, critical: 30 }`);
  }
  const refs = ['deploys', 'availability', 'error_ratio', 'latency', 'spend', 'energy'];
  for (let i = 0; i < extraOutcomes; i++) {
    extra.push(`  - id: extra-${i}
    title: "Extra outcome ${i + 1}"
    owner: team-${i % 7}
    indicators: [${refs[i % refs.length]}, ${refs[(i + 2) % refs.length]}]`);
  }
  return `version: 1
workload: { id: shop, title: "Web shop", owner: platform-team, timezone: ${TIMEZONE} }
evaluation: { interval: 60s, stale_after_failures: 3 }
collectors:
  - id: app
    type: scrape
    url: http://127.0.0.1:9/metrics
    interval: 60s
  - id: billing
    type: http
    interval: 60s
    targets: [ { url: "http://127.0.0.1:9/health", name: billing } ]
indicators:
  - id: deploys
    title: "Deployments per day"
    pillar: operational_excellence
    unit: deploys/day
    series: deploys_per_day
    window: 1h
    objective: { min: 1, warning: 0.5, critical: 0.1 }
  - id: availability
    title: "Checkout availability"
    pillar: reliability
    weight: 2
    runbook: https://runbooks.example/availability
    slo: { good: 'requests_total{code!~"5.."}', total: requests_total, objective: 95%, window: 7d }
  - id: error_ratio
    title: "Checkout error ratio"
    pillar: reliability
    unit: ratio
    series: error_ratio
    aggregate: avg
    window: 1h
    objective: { max: 1%, warning: 2%, critical: 5% }
  - id: latency
    title: "Checkout latency"
    pillar: performance_efficiency
    unit: seconds
    runbook: https://runbooks.example/latency
    series: app_latency_seconds
    aggregate: avg
    window: 1h
    objective: { max: 0.3, warning: 0.5, critical: 1.0 }
  - id: spend
    title: "Cloud spend per day"
    pillar: cost_optimization
    unit: dollars
    series: cloud_cost_dollars
    objective: { max: 100 }
  - id: energy
    title: "Energy per order"
    pillar: sustainability
    unit: Wh
    collector: billing
    series: energy_wh_per_order
    objective: { max: 5, warning: 8, critical: 12 }
${indicators.join('\n')}${indicators.length ? '\n' : ''}${extraIndicators}outcomes:
  - id: buy
    title: "Customers can buy"
    owner: payments
    indicators:
      - { ref: availability, weight: 3, key: true }
      - latency
      - error_ratio
  - id: budget
    title: "We stay within budget"
    owner: finance
    indicators: [spend, energy]
  - id: ship
    title: "Teams ship every day"
    owner: platform-team
    indicators: [deploys, { ref: availability, weight: 1 }]
${extra.join('\n')}
review:
  evidence:
    - question: ops_small_changes
      choice: ops_small_changes_frequent
      when: "deploys == ok"
    - question: ops_health
      choice: ops_health_indicators
      when: "availability != critical"
    - question: perf_measure
      choice: perf_measure_user_latency
      when: "latency == ok"
`;
}

/** The statuses the fixture's pillars have, in PILLARS order. */
export const EXPECTED_PILLAR_STATUSES = {
  operational_excellence: 'ok',
  security: 'not_measured',
  reliability: 'warning',
  performance_efficiency: 'critical',
  cost_optimization: 'no_data',
  sustainability: 'stale',
} as const;

/** Lag of extra replica `i`: warning for every fifth, nothing for every seventh (no data), OK otherwise. */
const replicaLag = (i: number): number | null => (i % 7 === 6 ? null : i % 5 === 4 ? 12 : 1);

/** `minutes` of collector samples ending now (two hours by default): what the indicators evaluate. */
function currentSamples(now: number, minutes: number, replicas: number): Sample[] {
  const out: Sample[] = [];
  for (let m = minutes; m >= 0; m--) {
    const ts = now - m * MIN;
    const n = minutes - m;
    for (let i = 0; i < replicas; i++) {
      const lag = replicaLag(i);
      if (lag !== null) out.push({ name: 'replica_lag_seconds', labels: { collector: 'app', replica: String(i) }, ts, value: lag });
    }
    const app = { collector: 'app' };
    out.push({ name: 'app_latency_seconds', labels: app, ts, value: 1.2 });
    out.push({ name: 'error_ratio', labels: app, ts, value: 0.03 });
    out.push({ name: 'deploys_per_day', labels: app, ts, value: 3 });
    out.push({ name: 'requests_total', labels: { ...app, code: '200' }, ts, value: 990 * n });
    out.push({ name: 'requests_total', labels: { ...app, code: '500' }, ts, value: 10 * n });
    out.push({ name: 'energy_wh_per_order', labels: { collector: 'billing' }, ts: ts - 3 * HOUR, value: 4 });
  }
  return out;
}

/**
 * 30 days of score/value history, hourly (what evaluations would have written): smooth
 * curves with the recent degradations the current statuses tell of, and gaps where the
 * data stopped (cost two days ago, sustainability three hours ago).
 */
function historySamples(now: number, outcomeIds: string[], minutes: number | undefined): Sample[] {
  const out: Sample[] = [];
  // A young installation: one pass a minute over the last `minutes`; otherwise hourly over 30 days.
  const every = minutes === undefined ? HOUR : MIN;
  const start = minutes === undefined ? Math.floor((now - 30 * DAY) / HOUR) * HOUR : now - minutes * MIN;
  const add = (name: string, label: string, id: string, ts: number, value: number) => out.push({ name, labels: { [label]: id }, ts, value });
  for (let ts = start; ts < now - (minutes === undefined ? 5 : 1) * MIN; ts += every) {
    const age = (now - ts) / DAY; // days ago
    const wave = Math.sin(ts / (7 * HOUR));
    const latency = age < 1 ? 0.5 + 0.7 * (1 - age) : 0.24 + 0.05 * wave;
    const latencyScore = Math.max(0, Math.min(100, 100 * (1 - (latency - 0.3) / 0.7)));
    const errRatio = age < 2 ? 0.03 : 0.006 + 0.002 * wave;
    const errScore = errRatio <= 0.01 ? 100 : Math.max(0, 100 * (1 - (errRatio - 0.01) / 0.04));
    const pillar = {
      operational_excellence: 94 + 4 * wave,
      reliability: (2 * 80 + errScore) / 3,
      performance_efficiency: latencyScore,
      cost_optimization: age > 2 ? 88 + 6 * wave : null,
      sustainability: age > 0.125 ? 97 - 2 * wave : null,
    };
    for (const [p, v] of Object.entries(pillar)) if (v !== null) add(HISTORY_SERIES.pillarScore, 'pillar', p, ts, Math.round(v * 10) / 10);
    add(HISTORY_SERIES.indicatorValue, 'indicator', 'latency', ts, latency);
    add(HISTORY_SERIES.indicatorScore, 'indicator', 'latency', ts, latencyScore);
    add(HISTORY_SERIES.indicatorValue, 'indicator', 'error_ratio', ts, errRatio);
    add(HISTORY_SERIES.indicatorScore, 'indicator', 'error_ratio', ts, errScore);
    add(HISTORY_SERIES.indicatorValue, 'indicator', 'availability', ts, 0.99 + 0.002 * wave);
    add(HISTORY_SERIES.indicatorValue, 'indicator', 'deploys', ts, 3 + Math.round(2 * wave));
    if (age > 0.125) add(HISTORY_SERIES.indicatorValue, 'indicator', 'energy', ts, 4 + wave);
    if (age > 2) add(HISTORY_SERIES.indicatorValue, 'indicator', 'spend', ts, 80 + 15 * wave);
    outcomeIds.forEach((o, i) => add(HISTORY_SERIES.outcomeScore, 'outcome', o, ts, Math.round((i === 0 ? (3 * 80 + latencyScore + errScore) / 5 : 85 + 10 * Math.sin(ts / (9 * HOUR) + i)) * 10) / 10));
  }
  return out;
}

/**
 * What the review page, the tiles' risk counts and the chart annotations show: the evidence
 * bindings (in the workload) have answered by now; a person answers ops_health against its
 * evidence (drift), marks a sustainability question not applicable and plans an improvement.
 * Deployments and incidents over the last days, one incident still open.
 */
function seedReviewAndEvents(runtime: Runtime, now: number): void {
  const review = runtime.review;
  review.answer('wellarchitected', 'ops_health', { choices: ['ops_health_alerts', 'ops_health_runbooks'], note: 'Dashboards are not trusted yet' }, 'alice');
  review.answer('wellarchitected', 'sus_data', { notApplicable: true, reason: 'business_priorities', note: 'Hosted by the shop platform' }, 'alice');
  review.answer('wellarchitected', 'ops_priorities', { choices: ['ops_priorities_outcomes', 'ops_priorities_owners', 'ops_priorities_revisited'] }, 'bob');
  review.updatePlanItem('wellarchitected', 'ops_small_changes', { owner: 'platform-team', due: new Date(now + 14 * DAY).toISOString().slice(0, 10), status: 'in_progress', note: 'Pipeline first' });
  const deploy = (id: string, at: number, title: string, status = 'success') => ({
    kind: 'deployment' as const, source: 'ci', externalId: id, service: 'shop', environment: 'production', startedAt: at, endedAt: at + 4 * MIN, status, title, attrs: { url: `https://ci.example/runs/${id}` },
  });
  runtime.events.upsertEvents([
    deploy('d-101', now - 5 * DAY - 3 * HOUR, 'shop 1.4.0'),
    deploy('d-102', now - 2 * DAY - 6 * HOUR, 'shop 1.4.1'),
    deploy('d-103', now - 22 * HOUR, 'shop 1.5.0'),
    deploy('d-104', now - 3 * HOUR, 'shop 1.5.1', 'failure'),
    { kind: 'incident', source: 'pager', externalId: 'i-7', service: 'shop', startedAt: now - 2 * DAY - 5 * HOUR, endedAt: now - 2 * DAY - 2 * HOUR, status: 'resolved', title: 'Checkout errors above 2%', attrs: { url: 'https://pager.example/i-7' } },
    { kind: 'incident', source: 'pager', externalId: 'i-8', service: 'shop', startedAt: now - 150 * MIN, status: 'triggered', title: 'Checkout latency above 1 s' },
  ]);
}

export interface DashboardFixture {
  runtime: Runtime;
  url: string;
  port: number;
  /** Stops answering (connections cut), as if the server went away. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface DashboardFixtureOptions {
  extraOutcomes?: number;
  /**
   * YAML list entries (indented two spaces, ending in a newline) added after the fixture's own
   * indicators; note that they change the statuses of the pillars they join.
   */
  extraIndicators?: string;
  /** More reliability indicators, some not OK (see workloadYaml). */
  replicaIndicators?: number;
  /** A first-hour installation: only this many minutes of samples and score history, none older. */
  historyMinutes?: number;
}

export async function startDashboardFixture(opts: DashboardFixtureOptions = {}): Promise<DashboardFixture> {
  ensureWebBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-dashboard-'));
  const configPath = path.join(dir, 'workload.yaml');
  const replicaIndicators = opts.replicaIndicators ?? 0;
  fs.writeFileSync(configPath, workloadYaml(opts.extraOutcomes ?? 0, opts.extraIndicators, replicaIndicators));
  const runtime = new Runtime({ configPath, dbPath: path.join(dir, 'pb.db'), env: {}, log: silentLogger, version: '0.0.0-test', watch: false });
  const now = Date.now();
  runtime.store.writeSamples(currentSamples(now, opts.historyMinutes ?? 120, replicaIndicators));
  const outcomeIds = ['buy', 'budget', 'ship', ...Array.from({ length: opts.extraOutcomes ?? 0 }, (_, i) => `extra-${i}`)];
  runtime.store.writeSamples(historySamples(now, outcomeIds, opts.historyMinutes));
  // The billing collector: fine until three hours ago, failing since.
  runtime.store.recordRun({ collectorId: 'billing', startedAt: now - 3 * HOUR - MIN, durationMs: 40, ok: true, samplesWritten: 1 }, []);
  for (let i = 5; i >= 1; i--) {
    runtime.store.recordRun({ collectorId: 'billing', startedAt: now - i * MIN, durationMs: 5, ok: false, error: 'connect ECONNREFUSED 127.0.0.1:9', samplesWritten: 0 }, []);
  }
  runtime.store.updateRollups();
  runtime.load(false, { evaluate: true });
  seedReviewAndEvents(runtime, now);

  // Every answer the dashboard gets is checked against the OpenAPI document; close() fails on a departure.
  const recorded = recordContract(createApp(runtime.apiDeps()));
  const app = recorded.handler;
  let server: Server = await listen(app, 0);
  const port = (server.address() as AddressInfo).port;
  const stop = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  return {
    runtime,
    url: `http://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      server = await listen(app, port);
    },
    async close() {
      if (server.listening) await stop();
      await runtime.close(1000);
      fs.rmSync(dir, { recursive: true, force: true });
      recorded.assertNone();
    },
  };
}

function listen(app: http.RequestListener, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = http.createServer(app).listen(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}
