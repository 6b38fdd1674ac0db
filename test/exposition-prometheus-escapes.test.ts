import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition } from '../collectors/exposition.js';
import { PROMETHEUS_BIN, requireBinary, startPrometheus, waitFor, type PrometheusServer } from './support/real-binaries.js';
import { serve, type LocalServer } from './support/local-server.js';

/**
 * Label-value escapes as the real Prometheus scrape reads them, compared with Pillarboard's
 * parser on the same page: unknown escapes (`\z`, `\f`) are kept with their backslash.
 */

const PAGE = String.raw`# TYPE esc_test gauge
esc_test{case="unknown",v="x\zy"} 1
esc_test{case="formfeed",v="a\fb"} 2
esc_test{case="mixed",v="\q\n\\\"end"} 3
esc_test{case="plain",v="C:\\DIR"} 4
`;

describe('label-value escapes match a real Prometheus scrape', { skip: requireBinary(PROMETHEUS_BIN) }, () => {
  let target: LocalServer;
  let prom: PrometheusServer;

  before(async () => {
    target = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(PAGE);
    });
    prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${target.port}`] });
  });

  after(async () => {
    await prom?.stop();
    await target?.close();
  });

  test('every sample Prometheus stores from the page, Pillarboard parses with the same label values', async () => {
    const series = await waitFor('Prometheus to store esc_test', async () => {
      const res = await fetch(`${prom.url}/api/v1/query?query=esc_test`);
      const body = (await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      return body.data.result.length === 4 ? body.data.result : undefined;
    });
    const page = parseExposition(PAGE);
    assert.deepEqual(page.errors, []);
    const ours = new Map(page.samples.map((s) => [s.labels['case'], s.labels['v']]));
    for (const s of series) assert.equal(ours.get(s.metric['case']), s.metric['v'], `case ${s.metric['case']}`);
    assert.equal(ours.get('unknown'), String.raw`x\zy`);
  });
});
