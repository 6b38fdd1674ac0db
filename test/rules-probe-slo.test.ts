import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { collectorRegistry } from '../collectors/index.js';
import { runRules } from '../server/commands/rules.js';
import { buildPrometheusRules } from '../server/rules/prometheusRules.js';
import { selectsMetric } from '../server/rules/self-reference.js';
import { loadWorkloadText } from '../server/workload/index.js';
import { requireBinary } from './support/real-binaries.js';
import { PROMTOOL_BIN, runPromtool } from './support/promtool.js';
import { tempDir } from './support/tmp.js';

/**
 * `pillarboard rules` for a probe SLO, checked by `promtool test rules` — the rule evaluator of
 * Prometheus itself — at the collector intervals and evaluation intervals users run.
 *
 * The recording group that reproduces the collector's series is evaluated by Prometheus at the
 * collector's interval; promtool evaluates every group at one `evaluation_interval`, so the test
 * feeds the recorded series (`probe_ok{collector="prom"}`) directly at the collector's interval
 * and loads only the SLO groups, evaluated at the Prometheus evaluation interval under test.
 */

function workloadYaml(intervalS: number, queries = `probe_ok: 'probe_success{job="blackbox"}'`): string {
  return `
workload: { id: shop, title: Shop }
collectors:
  - id: prom
    type: prometheus
    url: http://127.0.0.1:9090
    interval: ${intervalS}s
    queries:
      ${queries}
indicators:
  - id: probes
    title: "Probe availability"
    pillar: reliability
    slo: { success: probe_ok, objective: 99.9%, window: 28d }
`;
}

function sloRules(intervalS: number): { groups: any[] } {
  const loaded = loadWorkloadText(workloadYaml(intervalS), { file: 'w.yaml', registry: collectorRegistry, env: {} });
  assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
  const result = buildPrometheusRules(loaded.workload, collectorRegistry);
  assert.deepEqual(result.errors, []);
  const doc = parse(result.yaml) as { groups: any[] };
  return { groups: doc.groups.filter((g) => g.name.startsWith('pillarboard-slo-')) };
}

/** Prometheus's expanding notation: one failed probe (0) then 49 successes, repeated. */
function twoPercentFailing(samples: number): string {
  const periods = Math.ceil(samples / 50);
  return Array.from({ length: periods }, () => '0 1x48').join(' ');
}

async function promtoolTest(dir: string, rules: object, test: object): Promise<{ code: number; output: string }> {
  fs.writeFileSync(path.join(dir, 'rules.yml'), stringify(rules));
  fs.writeFileSync(path.join(dir, 'test.yml'), stringify({ rule_files: ['rules.yml'], ...test }, { lineWidth: 0 }));
  return runPromtool(PROMTOOL_BIN, ['test', 'rules', path.join(dir, 'test.yml')]);
}

describe('pillarboard rules for a 0/1 probe SLO under promtool test rules', { skip: requireBinary(PROMTOOL_BIN) }, () => {
  for (const collectorS of [15, 30, 60]) {
    for (const evaluationS of [15, 60]) {
      const label = `collector every ${collectorS}s, evaluation every ${evaluationS}s`;

      test(`no alert and an error ratio of exactly 0 on a healthy probe series (${label})`, async () => {
        const rules = sloRules(collectorS);
        const horizonS = 7200;
        const evalTimes = ['10m', '1h', '1h30m', '2h'];
        const res = await promtoolTest(tempDir(), rules, {
          evaluation_interval: `${evaluationS}s`,
          tests: [
            {
              interval: `${collectorS}s`,
              input_series: [{ series: 'probe_ok{collector="prom"}', values: `1x${horizonS / collectorS}` }],
              alert_rule_test: evalTimes.flatMap((t) => [
                { eval_time: t, alertname: 'PillarboardSLOBurnRateHigh', exp_alerts: [] },
                { eval_time: t, alertname: 'PillarboardSLOBurnRateElevated', exp_alerts: [] },
              ]),
              promql_expr_test: evalTimes.flatMap((t) =>
                ['5m', '1h'].map((w) => ({
                  eval_time: t,
                  expr: `pillarboard_slo:error_ratio:rate${w}{indicator="probes"}`,
                  exp_samples: [{ labels: `pillarboard_slo:error_ratio:rate${w}{indicator="probes",pillar="reliability"}`, value: 0 }],
                })),
              ),
            },
          ],
        });
        assert.equal(res.code, 0, res.output);
      });

      test(`the page alert fires on a probe failing 2% of the time (${label})`, async () => {
        const rules = sloRules(collectorS);
        const page = rules.groups[0].rules.find((r: any) => r.alert === 'PillarboardSLOBurnRateHigh');
        // The first failure at least an hour in (so the 1 h window is full), then the next minute.
        const periodS = 50 * collectorS;
        const failureS = Math.ceil(3600 / periodS) * periodS;
        const evalS = Math.ceil((failureS + 1) / 60) * 60;
        const res = await promtoolTest(tempDir(), rules, {
          evaluation_interval: `${evaluationS}s`,
          tests: [
            {
              interval: `${collectorS}s`,
              input_series: [{ series: 'probe_ok{collector="prom"}', values: twoPercentFailing((evalS + 600) / collectorS) }],
              alert_rule_test: [
                {
                  eval_time: `${evalS}s`,
                  alertname: 'PillarboardSLOBurnRateHigh',
                  exp_alerts: [{ exp_labels: page.labels, exp_annotations: page.annotations }],
                },
              ],
            },
          ],
        });
        assert.equal(res.code, 0, res.output);
      });
    }
  }
});

describe('a recording rule that would read its own output', () => {
  test('selectsMetric finds the metric a query reads, and not label names, strings, functions or grouping labels', () => {
    assert.equal(selectsMetric('sum(rate(http_requests_total[5m]))', 'http_requests_total'), true);
    assert.equal(selectsMetric('sum by (code) (http_requests_total{route="/x"})', 'http_requests_total'), true);
    assert.equal(selectsMetric('{__name__="probe_success", job="b"}', 'probe_success'), true);
    assert.equal(selectsMetric('{__name__=~"probe_.*"}', 'probe_success'), true);
    assert.equal(selectsMetric('sum by (code) (http_requests_total{route="/x"})', 'code'), false);
    assert.equal(selectsMetric('up{job="probe_success"}', 'probe_success'), false);
    assert.equal(selectsMetric('sum(rate(x[5m]))', 'rate'), false);
    assert.equal(selectsMetric('sum without (instance) (x) > on (job) group_left (version) y', 'version'), false);
    assert.equal(selectsMetric('job:http_requests:rate5m', 'http_requests'), false);
  });

  test('pillarboard rules refuses a collector query named like the metric it aggregates, naming file, line and column, and writes nothing', () => {
    const dir = tempDir();
    const config = path.join(dir, 'workload.yaml');
    fs.writeFileSync(
      config,
      workloadYaml(30, `probe_success: 'avg by (job) (probe_success{job="blackbox"})'`).replace('success: probe_ok', 'success: probe_success'),
    );
    const out = path.join(dir, 'rules.yml');
    let stderr = '';
    const sink = (write: (s: string) => void) => ({ write: (s: string) => (write(s), true) }) as unknown as NodeJS.WritableStream;
    const code = runRules(config, {}, { out, stdout: sink(() => {}), stderr: sink((s) => (stderr += s)) });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /workload\.yaml:9:7: collectors\[0\]\.queries\.probe_success: SLO indicator probes: collector "prom": the query named probe_success .* selects probe_success itself/);
    assert.match(stderr, /would read its own output/);
    assert.equal(fs.existsSync(out), false);
  });
});
