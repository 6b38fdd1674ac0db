import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from './support/api-request.js';
import { collectorRegistry } from '../collectors/index.js';
import { createApp } from '../server/api/app.js';
import { Backfiller } from '../server/backfill/index.js';
import { runBackfill } from '../server/commands/backfill.js';
import { createLogger, silentLogger } from '../server/log.js';
import { openStore, type Store } from '../server/store/index.js';
import { loadWorkloadText } from '../server/workload/index.js';
import { createPrometheusHistory } from './support/prometheus-history.js';
import { PROMETHEUS_BIN, requireBinary, startPrometheus, type PrometheusServer } from './support/real-binaries.js';
import { PROMTOOL_BIN } from './support/promtool.js';
import { Runtime } from '../server/runtime.js';
import { tempDir, waitFor } from './support/tmp.js';
import { systemClock } from '../server/clock.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** History ends two minutes ago and starts 32 days before, one point a minute. */
const HISTORY_TO = Math.floor(Date.now() / MIN) * MIN - 2 * MIN;
const HISTORY_FROM = HISTORY_TO - 32 * DAY;
const probe = (i: number) => (i % 97 === 0 ? 0 : 1);

const workloadYaml = (url: string) => `
workload: { id: bf, title: Backfill }
storage: { retention: { raw: 15d, hourly: 400d } }
collectors:
  - id: prom
    type: prometheus
    url: ${url}
    interval: 60s
    labels: { env: test }
    queries:
      probe_ok: 'probe_success{target="a"}'
      requests: 'sum by (code) (app_requests_total)'
indicators:
  - id: availability
    title: Availability
    pillar: reliability
    slo: { success: probe_ok, objective: 99%, window: 30d }
  - id: errors
    title: Error budget of requests
    pillar: reliability
    slo: { bad: 'requests{code="500"}', total: requests, objective: 95%, window: 30d }
`;

const skip = requireBinary(PROMETHEUS_BIN) || requireBinary(PROMTOOL_BIN);

describe('backfill from a real Prometheus holding 32 days of history', { skip }, () => {
  let prom: PrometheusServer;
  before(async () => {
    const dir = tempDir('pb-history-');
    const { dataDir } = await createPrometheusHistory(
      dir,
      [
        { name: 'probe_success', type: 'gauge', labels: { target: 'a' }, value: probe },
        { name: 'app_requests', type: 'counter', labels: { code: '200' }, value: (i) => i * 10 },
        { name: 'app_requests', type: 'counter', labels: { code: '500' }, value: (i) => Math.floor(i / 10) },
      ],
      { from: HISTORY_FROM, to: HISTORY_TO, stepMs: MIN },
    );
    prom = await startPrometheus({ scrapeTargets: [], dataDir });
  });
  after(async () => {
    await prom?.stop();
  });

  /** Prometheus's own query_range answer for a query with one result series, as ts → value. */
  async function promRange(query: string, from: number, to: number): Promise<Map<number, number>> {
    const params = new URLSearchParams({ query, start: String(from / 1000), end: String(to / 1000), step: '60' });
    const body = (await (await fetch(`${prom.url}/api/v1/query_range?${params}`)).json()) as {
      data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    };
    assert.equal(body.data.result.length, 1);
    return new Map(body.data.result[0]!.values.map(([t, v]) => [Math.round(t * 1000), Number(v)]));
  }

  test('serve fills a new collector over its 30-day SLO window in the background, so the window is full after the first collection', async () => {
    const lines: string[] = [];
    const dir = tempDir();
    const configPath = path.join(dir, 'workload.yaml');
    fs.writeFileSync(configPath, workloadYaml(prom.url));
    const runtime = new Runtime({
      configPath,
      dbPath: path.join(dir, 'pb.db'),
      env: {},
      log: createLogger({ level: 'info', write: (l) => lines.push(l) }),
      version: '0.0.0-test',
      watch: false,
    });
    after(() => runtime.close(1000));
    runtime.startMaintenance(); // as serve does: raw retention 15 d puts the older half straight into hourly rollups
    runtime.load(true);
    const app = createApp(runtime.apiDeps());

    // Progress is visible while it runs or once it is done, and the live collector ran meanwhile.
    const first = (await request(app).get('/api/collectors/prom').expect(200)).body;
    assert.ok(first.backfill, 'a prometheus collector reports its backfill');
    assert.ok(['pending', 'running', 'done'].includes(first.backfill.state), first.backfill.state);
    await waitFor(() => runtime.backfill.status('prom')?.state === 'done', 60_000, 'backfill done');
    await waitFor(() => runtime.scheduler.status()[0]!.lastRun !== null, 20_000, 'first live run');
    const view = (await request(app).get('/api/collectors').expect(200)).body.collectors[0];
    assert.equal(view.backfill.state, 'done');
    assert.equal(view.backfill.progress, 1);
    assert.equal(view.backfill.parts.length, 2);
    // The range reaches back the SLO window (30 d), not the 15-day floor nor all 32 days Prometheus has.
    const from = Date.parse(view.backfill.from);
    assert.ok(Math.abs(from - (Date.now() - 30 * DAY)) < 5 * MIN, `backfill from ${view.backfill.from}`);
    // Every minute of the range that Prometheus holds (its history ends at HISTORY_TO; an instant
    // looks back 5 minutes past it), for 3 series; on a slow machine the range may end later.
    const coveredTo = Math.min(Date.parse(view.backfill.to), HISTORY_TO + 5 * MIN);
    const minutes = Math.floor((coveredTo - from) / MIN) + 1;
    assert.ok(minutes >= 30 * 1440 - 10, `the range covers the window (${minutes} minutes)`);
    assert.ok(view.backfill.samplesWritten >= 3 * minutes - 3 * 2, `samples ${view.backfill.samplesWritten} for ${minutes} minutes`);

    // Same series as live collection: one probe_ok series with the collector's labels, fed by both.
    const probeSeries = runtime.store.findSeries({ name: 'probe_ok', matchers: [] });
    assert.deepEqual(probeSeries.map((s) => s.labels), [{ collector: 'prom', env: 'test', target: 'a' }]);

    // The SLO window is full: ~30 days of probes counted, good and bad as Prometheus has them.
    const snap = runtime.evaluator.evaluateNow();
    const availability = snap.indicators.find((i) => i.id === 'availability')!;
    const events = availability.slo!.events!;
    assert.ok(events.total >= 30 * 1440 - 70, `total probes in the 30-day window: ${events.total}`);
    assert.ok(events.total <= 30 * 1440 + 2, `total probes in the 30-day window: ${events.total}`);
    const expectedBad = Math.round(events.total / 97);
    assert.ok(Math.abs(events.bad - expectedBad) <= 2, `bad probes ${events.bad}, about ${expectedBad}`);
    const errors = snap.indicators.find((i) => i.id === 'errors')!;
    // requests: 10/min good+… code 200 grows 10/min, code 500 1 per 10 min → 1/101 of all requests are errors.
    assert.ok(errors.slo!.events!.total > 29 * 1440 * 10, `request total ${errors.slo!.events!.total}`);
    assert.ok(Math.abs(errors.slo!.attainment! - 100 / 101) < 0.001, `attainment ${errors.slo!.attainment}`);

    // Stored raw values agree with Prometheus's own query_range (last 3 days, within raw retention).
    const from3 = Math.ceil((Date.now() - 3 * DAY) / MIN) * MIN;
    const firstLive = Math.min(...probeSeries.map((s) => runtime.store.latestSample(s.id)!.ts));
    const to3 = Math.min(HISTORY_TO, firstLive - 1);
    const theirs = await promRange('probe_success{target="a"}', from3, to3);
    const ours = new Map(runtime.store.rawPoints(probeSeries[0]!.id, from3, to3));
    assert.ok(theirs.size > 4000);
    assert.deepEqual(ours, theirs);
    // Older than raw retention: hourly rollups hold exactly Prometheus's points of each hour.
    const hour = Math.floor((Date.now() - 25 * DAY) / HOUR) * HOUR;
    const [agg] = runtime.store.rollupHours(probeSeries[0]!.id, hour, hour);
    const points = [...(await promRange('probe_success{target="a"}', hour, hour + HOUR - 1)).values()];
    assert.equal(agg?.count, points.length);
    assert.equal(agg?.sum, points.reduce((a, b) => a + b, 0));
    // And in the log: when it started and finished, per query.
    for (const msg of ['backfill started', 'backfill finished']) {
      assert.equal(lines.filter((l) => l.includes(msg) && l.includes('collector="prom"')).length, 2, lines.join('\n'));
    }

    // A query added by a reload is new: it alone is filled, over the 15-day floor (no indicator reads it).
    const before = view.backfill.samplesWritten;
    fs.writeFileSync(configPath, workloadYaml(prom.url).replace("      requests: 'sum by (code) (app_requests_total)'\n", "      requests: 'sum by (code) (app_requests_total)'\n      ok_total: 'sum(app_requests_total{code=\"200\"})'\n"));
    assert.equal(runtime.workload.reload('api').applied, true);
    await waitFor(() => runtime.backfill.status('prom')?.parts.length === 3 && runtime.backfill.status('prom')?.state === 'done', 60_000, 'new query backfilled');
    const added = runtime.backfill.status('prom')!;
    const part = added.parts.find((p) => p.series[0] === 'ok_total')!;
    assert.ok(Math.abs(part.from! - (Date.now() - 15 * DAY)) < 5 * MIN, `new query from ${new Date(part.from!).toISOString()}`);
    assert.ok(Math.abs(part.samplesWritten - 15 * 1440) <= 10, `new query samples ${part.samplesWritten}`);
    assert.equal(added.samplesWritten, before + part.samplesWritten);
  });

  test('a backfill cut short resumes after its last stored chunk and counts no sample twice, and a repeat adds nothing', async () => {
    const dir = tempDir();
    const dbPath = path.join(dir, 'pb.db');
    const loaded = loadWorkloadText(workloadYaml(prom.url), { file: 'w.yaml', registry: collectorRegistry, env: {} });
    assert.ok(loaded.ok);
    const wl = loaded.workload;
    const open = () => {
      const store = openStore({ path: dbPath, now: Date.now });
      store.setRetention(wl.storage.retention);
      store.applyRetention(); // raw horizon at now − 15 d: older samples go straight into rollups
      return store;
    };

    // First process: stopped as soon as the first chunk is stored.
    let store: Store = open();
    const stop = new AbortController();
    const first = new Backfiller({ store, registry: collectorRegistry, log: silentLogger, clock: systemClock });
    const watcher = setInterval(() => {
      if ((first.status('prom')?.samplesWritten ?? 0) > 0) stop.abort();
    }, 1);
    const cut = await first.run(wl.collectors, wl.indicators, { signal: stop.signal });
    clearInterval(watcher);
    assert.match(cut[0]!.error ?? '', /abort/i);
    const partial = first.status('prom')!;
    assert.equal(partial.state, 'pending');
    assert.ok(partial.progress > 0 && partial.progress < 1, `progress ${partial.progress}`);
    store.close();

    // Second process: resumes and finishes.
    store = open();
    const lines: string[] = [];
    const second = new Backfiller({ store, registry: collectorRegistry, clock: systemClock, log: createLogger({ level: 'info', write: (l) => lines.push(l) }) });
    const done = await second.run(wl.collectors, wl.indicators);
    assert.equal(done[0]!.error, undefined);
    assert.ok(lines.some((l) => l.includes('backfill resumed')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('backfill finished')), lines.join('\n'));
    const status = second.status('prom')!;
    assert.equal(status.state, 'done');
    assert.equal(status.progress, 1);

    // Every minute of the 30 days is stored once: each whole hour holds 60 points, raw or rolled up.
    const [series] = store.findSeries({ name: 'probe_ok', matchers: [] });
    const hours = store.rollupHours(series!.id, status.from! + HOUR, status.to! - HOUR);
    assert.ok(hours.length >= 30 * 24 - 3, `hours ${hours.length}`);
    for (const h of hours) assert.equal(h.count, 60, `hour ${new Date(h.hour).toISOString()} holds ${h.count} points`);
    const total = status.samplesWritten;

    // Again, and again with --since over a range already filled: nothing new.
    const again = await second.run(wl.collectors, wl.indicators);
    assert.equal(again[0]!.samples, 0);
    const since = await second.run(wl.collectors, wl.indicators, { sinceMs: 20 * DAY });
    assert.equal(since[0]!.samples, 0);
    assert.equal(second.status('prom')!.samplesWritten, total);
    // --since further back than what was filled extends it by exactly the missing days.
    const further = await second.run(wl.collectors, wl.indicators, { sinceMs: 31 * DAY });
    assert.ok(Math.abs(further[0]!.samples - 3 * 1440) <= 6, `extension stored ${further[0]!.samples}`);
    for (const h of store.rollupHours(series!.id, Date.now() - 31 * DAY + HOUR, status.to! - HOUR)) assert.equal(h.count, 60);
    store.close();
  });

  test('pillarboard backfill names what is wrong: bad --since, unknown collector, a type that cannot backfill, a missing database', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'w.yaml');
    fs.writeFileSync(config, workloadYaml(prom.url).replace('collectors:\n', 'collectors:\n  - { id: host, type: host }\n'));
    const db = path.join(dir, 'pb.db');
    const run = async (extra: { ids?: string[]; since?: string; db?: string }) => {
      let out = '';
      let err = '';
      const code = await runBackfill({
        config,
        db: extra.db ?? db,
        env: {},
        ids: extra.ids,
        since: extra.since,
        log: silentLogger,
        out: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
        err: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
      });
      return { code, out, err };
    };
    let r = await run({ since: 'thirty days' });
    assert.equal(r.code, 2);
    assert.match(r.err, /--since "thirty days"/);
    r = await run({ ids: ['nope'] });
    assert.equal(r.code, 2);
    assert.match(r.err, /--collector nope: no collector "nope" in .*known: host, prom/);
    r = await run({ ids: ['host'] });
    assert.equal(r.code, 2);
    assert.match(r.err, /type "host" cannot backfill/);
    r = await run({ since: '2d' });
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`no database at ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    openStore({ path: db, now: Date.now }).close();
    r = await run({ since: '2d', ids: ['prom'] });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^COLLECTOR\s+PARTS\s+RANGE\s+SAMPLES\s+RESULT/);
    assert.match(r.out, /\nprom\s+2\s+\S+ … \S+\s+\d+\s+ok/);
    const samples = Number(/\nprom\s+2\s+\S+ … \S+\s+(\d+)/.exec(r.out)![1]);
    assert.ok(Math.abs(samples - 3 * 2 * 1440) <= 20, `samples ${samples}`);
  });
});
