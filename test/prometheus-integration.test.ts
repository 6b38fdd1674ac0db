import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../server/api/app.js';
import { buildPrometheusRules } from '../server/rules/prometheusRules.js';
import { collectorRegistry } from '../collectors/index.js';
import { loadWorkloadText } from '../server/workload/index.js';
import { testRuntime } from './support/runtime.js';
import { tempDir, waitFor } from './support/tmp.js';
import { PROMETHEUS_BIN, requireBinary, startPrometheus, type PrometheusServer } from './support/real-binaries.js';
import { runPromtool, PROMTOOL_BIN } from './support/promtool.js';

const T0 = Date.now();

describe('a real Prometheus scraping Pillarboard', { skip: requireBinary(PROMETHEUS_BIN) }, () => {
  const { runtime } = testRuntime(`
workload: { id: scraped, title: "Scraped" }
indicators:
  - id: load
    title: "Load"
    pillar: performance_efficiency
    unit: ratio
    series: test_load
    objective: { max: 1, critical: 2 }
  - id: mem
    title: "Memory"
    pillar: cost_optimization
    unit: ratio
    series: test_mem
    objective: { max: 0.5, critical: 1 }
outcomes:
  - { id: fast, title: "Fast", indicators: [load] }
`);
  let server: Server;
  let prom: PrometheusServer;

  before(async () => {
    // load 1.5: halfway from target 1 to critical 2 → score 50; mem 0.6: 0.1 past target 0.5 of 0.5 to critical → 80.
    // Both miss their target and have no warning bound (it defaults to the target): status warning.
    runtime.store.writeSamples([
      { name: 'test_load', labels: { collector: 'x' }, ts: T0 - 1000, value: 1.5 },
      { name: 'test_mem', labels: { collector: 'x' }, ts: T0 - 1000, value: 0.6 },
    ]);
    runtime.load(false, { evaluate: true });
    server = createApp(runtime.apiDeps()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${(server.address() as AddressInfo).port}`], scrapeInterval: '1s' });
  });
  after(async () => {
    await prom?.stop();
    server?.close();
  });

  const query = async (q: string) => {
    const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    assert.equal(body.status, 'success');
    return body.data.result;
  };

  test('the scrape target is healthy and PromQL returns the pillar health Pillarboard computed', async () => {
    await waitFor(
      async () => {
        const t = (await (await fetch(`${prom.url}/api/v1/targets`)).json()) as any;
        return t.data.activeTargets.some((x: any) => x.health === 'up');
      },
      20_000,
      'target up',
    );
    await waitFor(async () => (await query('pillarboard_pillar_health_ratio')).length > 0, 20_000, 'pillar series scraped');
    const byPillar = Object.fromEntries((await query('pillarboard_pillar_health_ratio')).map((r) => [r.metric.pillar, Number(r.value[1])]));
    assert.deepEqual(byPillar, { performance_efficiency: 0.5, cost_optimization: 0.8 });
    const measured = await query('pillarboard_pillar_measured == 0');
    assert.deepEqual(measured.map((r) => r.metric.pillar).sort(), ['operational_excellence', 'reliability', 'security', 'sustainability']);
    const status = await query('pillarboard_indicator_status{status="warning"} == 1');
    assert.deepEqual(status.map((r) => r.metric.indicator).sort(), ['load', 'mem']);
    const attained = await query('pillarboard_outcome_attainment_ratio{outcome="fast"}');
    assert.equal(Number(attained[0]!.value[1]), 0.5);
  });
});

describe('pillarboard rules', { skip: requireBinary(PROMTOOL_BIN) }, () => {
  const yaml = `
workload: { id: shop, title: Shop }
collectors:
  - id: prom
    type: prometheus
    url: http://127.0.0.1:9090
    interval: 30s
    labels: { env: prod }
    queries:
      checkout_requests: 'sum by (code) (http_requests_total{route="/checkout"})'
      probe_ok: 'probe_success{job="blackbox"}'
  - { id: host, type: host }
indicators:
  - id: checkout
    title: "Checkout availability"
    pillar: reliability
    runbook: https://runbooks.example/checkout
    slo: { good: 'checkout_requests{code!~"5.."}', total: checkout_requests, objective: 99.9%, window: 28d }
  - id: probes
    title: "Probe availability"
    pillar: reliability
    slo: { success: probe_ok, objective: 99%, window: 7d }
  - id: host_only
    title: "Host uptime"
    pillar: reliability
    slo: { success: host_load1, objective: 99%, window: 7d }
`;

  test('generates recording and burn-rate alerting rules that promtool accepts, and says what it skipped', async () => {
    const loaded = loadWorkloadText(yaml, { file: 'w.yaml', registry: collectorRegistry, env: {} });
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
    const result = buildPrometheusRules(loaded.workload, collectorRegistry);
    assert.deepEqual(result.skipped, [{ indicator: 'host_only', reason: 'no collector with a PromQL equivalent stores host_load1' }]);
    // The collector's queries are recorded under their names with the labels stored samples carry.
    assert.match(result.yaml, /record: checkout_requests\n\s+expr: sum by \(code\) \(http_requests_total\{route="\/checkout"\}\)\n\s+labels:\n\s+env: prod\n\s+collector: prom/);
    assert.match(result.yaml, /record: pillarboard_slo:error_ratio:rate5m\n\s+expr: 1 - sum\(increase\(checkout_requests\{code!~"5\.\."\}\[5m\]\)\) \/ sum\(increase\(checkout_requests\[5m\]\)\)/);
    // page: 14.4 × (1 − 0.999) on 1h and 5m
    assert.match(result.yaml, /pillarboard_slo:error_ratio:rate1h\{indicator="checkout"\} > \(14\.4 \* 0\.001\) and pillarboard_slo:error_ratio:rate5m\{indicator="checkout"\} > \(14\.4 \* 0\.001\)/);
    assert.match(result.yaml, /runbook_url: https:\/\/runbooks\.example\/checkout/);
    const file = path.join(tempDir(), 'rules.yml');
    fs.writeFileSync(file, result.yaml);
    const check = await runPromtool(PROMTOOL_BIN, ['check', 'rules', file]);
    assert.equal(check.code, 0, check.output);
    assert.match(check.output, /SUCCESS: (\d+) rules found/);
  });
});
