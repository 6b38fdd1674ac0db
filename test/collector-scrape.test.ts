import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { scrape, SCRAPE_ACCEPT } from '../collectors/scrape.js';
import type { CollectResult } from '../collectors/types.js';
import { silentLogger } from '../server/log.js';
import { NODE_EXPORTER_BIN, requireBinary, startNodeExporter, type NodeExporter } from './support/real-binaries.js';
import { serve, type LocalServer } from './support/local-server.js';
import { HISTOGRAM_TEXTFILE, SMALL_EXPOSITION } from './support/sample-pages.js';

const NOW = new Date('2026-01-05T10:00:00.000Z');

function collect(raw: unknown, signal = AbortSignal.timeout(10_000)): Promise<CollectResult> {
  return scrape.collect(scrape.config.parse(raw), { signal, now: NOW, log: silentLogger, collectorId: 'scrape-test' });
}
const names = (r: CollectResult) => new Set(r.samples.map((s) => s.name));

describe('scrape collector against a real node_exporter', { skip: requireBinary(NODE_EXPORTER_BIN) }, () => {
  let ne: NodeExporter;
  before(async () => {
    ne = await startNodeExporter({ textfiles: { 'test.prom': HISTOGRAM_TEXTFILE } });
  });
  after(async () => {
    await ne?.stop();
  });

  it('stores every sample of the page, stamped with ctx.now', async () => {
    const r = await collect({ url: ne.url });
    assert.ok(r.samples.length > 100, `only ${r.samples.length} samples`);
    assert.ok(names(r).has('node_load1'));
    assert.ok(r.samples.every((s) => s.ts === NOW.getTime()));
    assert.equal(r.warnings, undefined);
  });

  it('keeps only the listed metric names', async () => {
    const r = await collect({ url: ne.url, keep: ['node_load1', 'node_memory_MemTotal_bytes'] });
    assert.deepEqual([...names(r)].sort(), ['node_load1', 'node_memory_MemTotal_bytes']);
  });

  it('keeps a summary family whole when keep names the family', async () => {
    const r = await collect({ url: ne.url, keep: ['go_gc_duration_seconds'] });
    assert.deepEqual([...names(r)].sort(), ['go_gc_duration_seconds', 'go_gc_duration_seconds_count', 'go_gc_duration_seconds_sum']);
    assert.deepEqual(r.samples.filter((s) => s.name === 'go_gc_duration_seconds').map((s) => s.labels['quantile']), ['0', '0.25', '0.5', '0.75', '1']);
  });

  it('keeps a histogram family whole when keep names the family', async () => {
    const r = await collect({ url: ne.url, keep: ['test_request_duration_seconds'] });
    assert.deepEqual([...names(r)].sort(), ['test_request_duration_seconds_bucket', 'test_request_duration_seconds_count', 'test_request_duration_seconds_sum']);
    assert.deepEqual(r.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.labels['le']), ['0.1', '0.5', '+Inf']);
  });

  it('keeps names matching a fully anchored regex, then applies drop', async () => {
    const r = await collect({ url: ne.url, keep: { regex: 'node_load.*' }, drop: ['node_load15'] });
    assert.deepEqual([...names(r)].sort(), ['node_load1', 'node_load5']);
    const none = await collect({ url: ne.url, keep: { regex: 'load1' } });
    assert.equal(none.samples.length, 0, 'a regex must match the whole name');
    assert.match(none.warnings?.join() ?? '', /removed all/);
  });

  it('filters samples by an exact label value and by a label regex', async () => {
    const exact = await collect({ url: ne.url, keep: ['test_queue_size'], match_labels: { queue: 'sms' } });
    assert.deepEqual(exact.samples.map((s) => [s.labels['queue'], s.value]), [['sms', 0]]);
    const re = await collect({ url: ne.url, keep: ['test_queue_size', 'node_load1'], match_labels: { queue: { regex: 'e.*|p.*' } } });
    assert.deepEqual(re.samples.filter((s) => s.name === 'test_queue_size').map((s) => s.labels['queue']), ['email', 'push']);
    assert.ok(names(re).has('node_load1'), 'a sample without the label is not filtered by it');
  });

  it('fails with the cap in the message when the page exceeds max_body_bytes', async () => {
    await assert.rejects(collect({ url: ne.url, max_body_bytes: '4KiB' }), /response body exceeds 4 KiB/);
  });

  it('rejects the landing page (HTML) when the URL lacks /metrics', async () => {
    const url = ne.url.replace('/metrics', '/');
    await assert.rejects(collect({ url }), new RegExp(`${url} answered text/html, not the Prometheus text format .*Node Exporter`));
  });
});

describe('scrape collector against misbehaving targets', () => {
  let server: LocalServer;
  const seen: { accept?: string; auth?: string } = {};
  before(async () => {
    server = await serve((req, res) => {
      seen.accept = req.headers.accept;
      seen.auth = req.headers.authorization;
      switch (req.url) {
        case '/html':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body><h1>Please log in</h1></body></html>');
          break;
        case '/garbage':
          res.writeHead(200, { 'content-type': 'text/plain' }).end(Array.from({ length: 37 }, (_, i) => `this is line ${i} of nonsense`).join('\n'));
          break;
        case '/html-as-text':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('<!doctype html>\n<html>\n</html>\n');
          break;
        case '/json':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success"}');
          break;
        case '/big':
          res.writeHead(200, { 'content-type': 'text/plain' });
          for (let i = 0; i < 100; i++) res.write(`filler_metric{i="${i}"} ${'1'.repeat(1000)}\n`);
          res.end();
          break;
        case '/partly-broken':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('good 1\nbad{ 2\ngood_too 3 1700000000000\n');
          break;
        case '/gzip':
          res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzipSync(SMALL_EXPOSITION));
          break;
        case '/missing':
          res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
          break;
        case '/empty':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('');
          break;
        default:
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(SMALL_EXPOSITION);
      }
    });
  });
  after(async () => {
    await server?.close();
  });

  it('rejects a target that answers HTML', async () => {
    await assert.rejects(collect({ url: `${server.url}/html` }), /answered text\/html, not the Prometheus text format .*Please log in/);
  });

  it('rejects a target that answers garbage, naming the first bad line', async () => {
    await assert.rejects(collect({ url: `${server.url}/garbage` }), /answered no valid sample in 37 lines; first error at line 1: /);
  });

  it('rejects HTML sent as text/plain, saying it looks like HTML', async () => {
    await assert.rejects(collect({ url: `${server.url}/html-as-text` }), /no valid sample .* looks like HTML/);
  });

  it('rejects JSON and points at the prometheus type', async () => {
    await assert.rejects(collect({ url: `${server.url}/json` }), /application\/json.*type: prometheus/);
  });

  it('fails naming the URL and the body when the path answers 404', async () => {
    const url = `${server.url}/missing`;
    await assert.rejects(collect({ url }), (err: Error) => {
      assert.equal(err.message, `${url} answered 404 Not Found: "404 page not found"`);
      return true;
    });
  });

  it('aborts a body larger than max_body_bytes', async () => {
    await assert.rejects(collect({ url: `${server.url}/big`, max_body_bytes: 10_000 }), /response body exceeds 10000 bytes/);
    const ok = await collect({ url: `${server.url}/big` });
    assert.equal(ok.samples.length, 100, 'the default 10 MiB cap lets it through');
  });

  it('keeps the good lines of a partly broken page and warns with the line number', async () => {
    const r = await collect({ url: `${server.url}/partly-broken` });
    assert.deepEqual(r.samples.map((s) => [s.name, s.ts]), [['good', NOW.getTime()], ['good_too', 1700000000000]]);
    assert.equal(r.warnings?.length, 1);
    assert.match(r.warnings![0]!, /^line 2: /);
  });

  it('stamps samples with ctx.now when honor_timestamps is false', async () => {
    const r = await collect({ url: `${server.url}/partly-broken`, honor_timestamps: false });
    assert.ok(r.samples.every((s) => s.ts === NOW.getTime()));
  });

  it('reads a gzip-encoded page and sends the text-format Accept header and bearer auth', async () => {
    const r = await collect({ url: `${server.url}/gzip`, auth: { bearer: 's3cret' } });
    assert.equal(r.samples.length, 3);
    assert.equal(seen.accept, SCRAPE_ACCEPT);
    assert.equal(seen.auth, 'Bearer s3cret');
  });

  it('succeeds on an empty page with a warning', async () => {
    const r = await collect({ url: `${server.url}/empty` });
    assert.equal(r.samples.length, 0);
    assert.match(r.warnings?.join() ?? '', /empty page/);
  });

  it('rejects an invalid keep regex at config time, naming the field', () => {
    const r = scrape.config.safeParse({ url: server.url, keep: { regex: '(' } });
    assert.equal(r.success, false);
    assert.equal(r.error?.issues[0]?.path.join('.'), 'keep.regex');
    assert.match(r.error!.issues[0]!.message, /not a valid regular expression/);
  });
});
