import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { prometheus, queryEndpoint } from '../collectors/prometheus.js';
import { PartialCollectError, type CollectResult } from '../collectors/types.js';
import { silentLogger } from '../server/log.js';
import {
  NODE_EXPORTER_BIN,
  PROMETHEUS_BIN,
  requireBinary,
  startNodeExporter,
  startPrometheus,
  waitFor,
  type NodeExporter,
  type PrometheusServer,
} from './support/real-binaries.js';
import { serve, readBody, closedPortUrl, type LocalServer } from './support/local-server.js';

function collect(raw: unknown, now = new Date()): Promise<CollectResult> {
  return prometheus.collect(prometheus.config.parse(raw), { signal: AbortSignal.timeout(10_000), now, log: silentLogger, collectorId: 'prom-test' });
}

const skip = requireBinary(PROMETHEUS_BIN) || requireBinary(NODE_EXPORTER_BIN);

describe('prometheus collector against a real Prometheus scraping node_exporter', { skip }, () => {
  let ne: NodeExporter;
  let prom: PrometheusServer;
  before(async () => {
    ne = await startNodeExporter();
    prom = await startPrometheus({ scrapeTargets: [ne.address], scrapeInterval: '1s' });
    // Prometheus is ready before its first scrape; wait until node_exporter's data is queryable.
    await waitFor('the first scrape of node_exporter', async () => {
      const r = await collect({ url: prom.url, queries: { load: 'node_load1' } });
      return r.samples.length > 0 ? true : undefined;
    });
  });
  after(async () => {
    await prom?.stop();
    await ne?.stop();
  });

  it('stores a vector result under the query name with the series labels, __name__ dropped', async () => {
    const now = new Date();
    const r = await collect({ url: prom.url, queries: { target_up: 'up' } }, now);
    assert.deepEqual(r.samples, [{ name: 'target_up', labels: { instance: ne.address, job: 'targets' }, ts: now.getTime(), value: 1 }]);
  });

  it('adds configured labels to every series of a query', async () => {
    const r = await collect({ url: prom.url, queries: [{ name: 'cpu_count', query: 'count(node_cpu_seconds_total{mode="idle"})', labels: { tier: 'web' } }] });
    assert.equal(r.samples.length, 1);
    assert.deepEqual(r.samples[0]?.labels, { tier: 'web' });
    assert.ok(r.samples[0]!.value >= 1);
  });

  it('stores scalar results, including NaN, +Inf and -Inf', async () => {
    const r = await collect({ url: prom.url, queries: { two: '1 + 1', nan: '0/0', inf: '1/0', neg_inf: '-1/0' } });
    const v = Object.fromEntries(r.samples.map((s) => [s.name, s.value]));
    assert.equal(v['two'], 2);
    assert.ok(Number.isNaN(v['nan']));
    assert.equal(v['inf'], Infinity);
    assert.equal(v['neg_inf'], -Infinity);
    assert.ok(r.samples.every((s) => Object.keys(s.labels).length === 0));
  });

  it('stores every point of a matrix result with its own timestamp', async () => {
    await waitFor('three scrapes', async () => ((await collect({ url: prom.url, queries: { u: 'up[10s]' } })).samples.length >= 3 ? true : undefined));
    const now = new Date();
    const r = await collect({ url: prom.url, queries: { up_history: 'up[10s]' } }, now);
    const ts = r.samples.map((s) => s.ts);
    assert.ok(ts.length >= 3);
    assert.ok(ts.every((t, i) => Number.isInteger(t) && t <= now.getTime() && (i === 0 || t > ts[i - 1]!)), `timestamps ${ts}`);
  });

  it('sends the query by GET when method is GET', async () => {
    const r = await collect({ url: `${prom.url}/`, method: 'GET', queries: { target_up: 'up' } });
    assert.equal(r.samples[0]?.value, 1);
  });

  it('keeps the other queries\' samples when Prometheus rejects one query, and names it', async () => {
    await assert.rejects(collect({ url: prom.url, queries: { target_up: 'up', broken: 'sum(up' } }), (err: unknown) => {
      assert.ok(err instanceof PartialCollectError);
      assert.match(err.message, /^Prometheus rejected query "broken" \(bad_data\): .*parse error/);
      assert.deepEqual(err.partial.samples.map((s) => s.name), ['target_up']);
      return true;
    });
  });

  it('fails the whole run, naming each query, when every query is rejected', async () => {
    await assert.rejects(collect({ url: prom.url, queries: { a: 'sum(', b: 'rate(up)' } }), (err: Error) => {
      assert.ok(!(err instanceof PartialCollectError));
      assert.match(err.message, /^2 of 2 queries failed: Prometheus rejected query "a" \(bad_data\).*; Prometheus rejected query "b" \(bad_data\)/);
      return true;
    });
  });

  it('rejects a string result for that query', async () => {
    await assert.rejects(collect({ url: prom.url, queries: { text: '"hello"' } }), /query "text": returned a string, not a number/);
  });

  it('rejects a query whose series differ only in their metric name', async () => {
    await assert.rejects(
      collect({ url: prom.url, queries: { loads: '{__name__=~"node_load1|node_load5"}' } }),
      /query "loads": several series differ only in their metric name \(node_load\d, node_load\d\)/,
    );
  });

  it('fails naming the URL when the base URL is wrong (404)', async () => {
    await assert.rejects(collect({ url: `${prom.url}/wrong/prefix`, queries: { u: 'up' } }), /\/wrong\/prefix\/api\/v1\/query answered 404 Not Found.*is url the Prometheus base URL/);
  });
});

describe('prometheus collector against unreal answers', () => {
  let server: LocalServer;
  let lastAuth: string | undefined;
  let lastForm: URLSearchParams | undefined;
  before(async () => {
    server = await serve(async (req, res) => {
      lastAuth = req.headers.authorization;
      lastForm = new URLSearchParams(await readBody(req));
      const path = (req.url ?? '').split('?')[0];
      if (path === '/login/api/v1/query') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><title>Sign in</title><body>Sign in to continue</body></html>');
      } else if (path === '/guarded/api/v1/query') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"missing token"}');
      } else if (path === '/bad-gateway/api/v1/query') {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1>nginx</body></html>');
      } else {
        const body = {
          status: 'success',
          warnings: ['results may be incomplete'],
          data: { resultType: 'vector', result: [{ metric: { job: 'x' }, value: [1700000000.123, '42'] }] },
        };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }
    });
  });
  after(async () => {
    await server?.close();
  });

  it('sends basic auth and the query with time = ctx.now as a POST form', async () => {
    const now = new Date('2026-01-05T10:00:00.250Z');
    const r = await collect({ url: server.url, queries: { q: 'up' }, auth: { basic: { username: 'ops', password: 'p@ss:word' } } }, now);
    assert.equal(lastAuth, 'Basic ' + Buffer.from('ops:p@ss:word').toString('base64'));
    assert.equal(lastForm?.get('query'), 'up');
    assert.equal(lastForm?.get('time'), '1767607200.250');
    assert.deepEqual(r.samples, [{ name: 'q', labels: { job: 'x' }, ts: 1700000000123, value: 42 }]);
  });

  it('passes the warnings of the API envelope on, naming the query', async () => {
    const r = await collect({ url: server.url, queries: { q: 'up' } });
    assert.deepEqual(r.warnings, ['query "q": results may be incomplete']);
  });

  it('rejects a proxy that answers an HTML login page', async () => {
    await assert.rejects(collect({ url: `${server.url}/login`, queries: { q: 'up' } }), /\/login\/api\/v1\/query answered text\/html, not JSON .*"Sign in Sign in to continue"/);
  });

  it('rejects a proxy error page with its status and text', async () => {
    await assert.rejects(collect({ url: `${server.url}/bad-gateway`, queries: { q: 'up', r: 'up' } }), /answered 502 Bad Gateway: "502 Bad Gateway nginx"/);
  });

  it('fails with the status when a proxy refuses the credentials with JSON that is not an API envelope', async () => {
    await assert.rejects(collect({ url: `${server.url}/guarded`, queries: { q: 'up' } }), /\/guarded\/api\/v1\/query answered 401 Unauthorized: "\{"error":"missing token"\}"/);
  });

  it('fails with connection refused, naming the URL, when Prometheus is down', async () => {
    const base = await closedPortUrl();
    await assert.rejects(collect({ url: base, queries: { a: 'up', b: 'up' } }), new RegExp(`POST ${base}/api/v1/query failed: connection refused`));
  });

  it('builds the query endpoint from a base URL with or without prefix and slash', () => {
    assert.equal(queryEndpoint('http://127.0.0.1:9090'), 'http://127.0.0.1:9090/api/v1/query');
    assert.equal(queryEndpoint('http://127.0.0.1:9090/prom/'), 'http://127.0.0.1:9090/prom/api/v1/query');
    assert.equal(queryEndpoint('http://127.0.0.1:9090/api/v1/query'), 'http://127.0.0.1:9090/api/v1/query');
  });

  it('rejects duplicate query names and an empty query map at config time', () => {
    const dup = prometheus.config.safeParse({ url: server.url, queries: [{ name: 'a', query: 'up' }, { name: 'a', query: 'up' }] });
    assert.equal(dup.error?.issues[0]?.path.join('.'), 'queries.1.name');
    const empty = prometheus.config.safeParse({ url: server.url, queries: {} });
    assert.equal(empty.error?.issues[0]?.path.join('.'), 'queries');
  });
});
