import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json } from '../collectors/json.js';
import type { JsonConfig } from '../collectors/json-config.js';
import { collectorRegistry } from '../collectors/index.js';
import type { CollectResult, Sample } from '../collectors/types.js';
import { loadWorkloadText } from '../server/workload/index.js';
import { silentLogger } from '../server/log.js';
import { serve, readBody, type LocalServer } from './support/local-server.js';

/**
 * The json collector against a local HTTP server playing a SaaS API: auth, POST bodies,
 * the three kinds of pagination and their guards, size caps, timeouts and bad answers.
 */

const NOW = new Date('2026-01-05T10:00:00.000Z');
const TOKEN = 'sekret-token-42';

function collect(raw: unknown, signal = AbortSignal.timeout(10_000)): Promise<CollectResult> {
  return json.collect(json.config.parse(raw), { signal, now: NOW, log: silentLogger, collectorId: 'shop' });
}

const requests: { method: string; url: string; auth?: string; body?: string }[] = [];
const ok = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};

/** Three pages of orders per region; page N of a scheme holds region rN. */
const page = (n: number, extra: Record<string, unknown> = {}) => ({ total_orders: 30, data: [{ region: `r${n}`, count: n * 10 }], ...extra });

async function handler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const u = new URL(req.url ?? '/', 'http://x');
  const body = req.method === 'POST' ? await readBody(req) : undefined;
  requests.push({ method: req.method ?? '', url: u.pathname + u.search, auth: req.headers.authorization, body });
  const n = Number(u.searchParams.get('page') ?? '1');
  switch (u.pathname) {
    case '/stats':
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid token"}');
      return ok(res, {
        generated_at: '2026-01-05T09:59:00Z',
        account: 'acme',
        total: 7,
        data: [
          { region: 'eu', count: 3, updated: '2026-01-05T09:00:00Z', open: true },
          { region: 'us', count: '4.5', updated: 1767603600, open: false },
          { region: 'apac', count: 0, updated: 1767603600123, open: true },
        ],
      });
    case '/link': {
      const links = n < 3 ? `</link?page=${n + 1}>; rel="next", </link?page=3>; rel="last"` : '</link?page=1>; rel="first"';
      return ok(res, page(n), { link: links });
    }
    case '/next':
      return ok(res, page(n, { links: { next: n < 3 ? `http://127.0.0.1:${server.port}/next?page=${n + 1}` : null } }));
    case '/cursor': {
      const c = u.searchParams.get('after');
      const k = c === null ? 1 : Number(c.replace('c', '')) + 1;
      return ok(res, page(k, { meta: { next: k < 3 ? `c${k}` : '' } }));
    }
    case '/search': {
      const q = JSON.parse(body ?? '{}') as { query?: string; cursor?: number };
      if (q.query !== 'paid') return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"query must be paid"}');
      const k = (q.cursor ?? 0) + 1;
      return ok(res, page(k, { next_cursor: k < 3 ? k : null }));
    }
    case '/keyed':
      if (u.searchParams.get('api_key') !== TOKEN) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('bad key');
      return ok(res, page(n), n < 2 ? { link: `</keyed?page=${n + 1}>; rel="next"` } : {});
    case '/numbered': {
      const k = Number(u.searchParams.get('page'));
      return ok(res, k >= 1 && k <= 3 ? page(k) : { total_orders: 30, data: [] });
    }
    case '/offset': {
      const all = [10, 20, 30, 40, 50].map((count, i) => ({ region: `o${i}`, count }));
      const from = Number(u.searchParams.get('offset'));
      return ok(res, { data: all.slice(from, from + Number(u.searchParams.get('limit'))) });
    }
    case '/ignores-page':
      return ok(res, page(1));
    case '/endless':
      return ok(res, page(n), { link: `</endless?page=${n + 1}>; rel="next"` });
    case '/stuck':
      return ok(res, page(1, { meta: { next: 'same-cursor' } }));
    case '/back':
      return ok(res, page(n), { link: n === 1 ? '</back?page=2>; rel="next"' : '</back>; rel="next"' });
    case '/elsewhere':
      return ok(res, page(1, { links: { next: 'http://127.0.0.2:9/steal' } }));
    case '/big':
      return ok(res, { data: [{ region: 'x', count: 1 }], padding: 'x'.repeat(5000) });
    case '/sized':
      return ok(res, page(n, { padding: 'x'.repeat(600) }), { link: `</sized?page=${n + 1}>; rel="next"` });
    case '/slow-second':
      if (n === 1) return ok(res, page(1), { link: '</slow-second?page=2>; rel="next"' });
      return; // never answers
    case '/bad':
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [1, 2,');
    case '/html':
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>Please sign in</h1></body></html>');
    case '/bom':
      return void res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('\ufeff{"data": [{"region": "eu", "count": 2}]}');
    case '/values':
      return ok(res, { data: [{ k: 'a', v: '12abc' }] });
    case '/spaced':
      return ok(res, { data: [{ k: 'a', v: ' 12' }] });
    case '/nulls':
      return ok(res, { data: [{ region: 'eu', count: 5 }, { region: 'us', count: null }, { region: 'apac' }, { count: 2 }] });
    case '/empty':
      return ok(res, { data: [] });
    case '/twice':
      return ok(res, { data: [{ region: 'eu', count: 1 }, { region: 'eu', count: 2 }] });
    case '/negative':
      return ok(res, { data: [{ region: 'eu', count: -1 }] });
    case '/nested':
      return ok(res, { data: [{ region: 'eu', counts: [1, 2] }] });
    default:
      res.writeHead(404).end('no such route');
  }
}

let server: LocalServer;
before(async () => {
  server = await serve((req, res) => void handler(req, res));
});
after(async () => {
  await server.close();
});

const orders = { name: 'orders', items: '$.data[*]', value: '$.count', labels: { region: '$.region' } };
const regions = (r: CollectResult, name = 'orders') =>
  r.samples.filter((s) => s.name === name).map((s) => `${s.labels.region}=${s.value}`).sort();
const requestsTo = (path: string) => requests.filter((r) => r.url.startsWith(path));

describe('json collector: reading values', () => {
  it('picks values, labels and timestamps per item, with the bearer token from auth.bearer', async () => {
    const r = await collect({
      url: `${server.url}/stats`,
      auth: { bearer: TOKEN },
      metrics: [
        { name: 'orders', items: '$.data[*]', value: '$.count', labels: { region: '$.region' }, timestamp: '$.updated' },
        { name: 'region_open', items: '$.data[*]', value: '$.open', labels: { region: '$.region' } },
        { name: 'orders_total', type: 'counter', value: '$.total' },
      ],
    });
    const byRegion = (name: string): Record<string, Sample> => Object.fromEntries(r.samples.filter((s) => s.name === name).map((s) => [s.labels.region, s]));
    const o = byRegion('orders');
    assert.equal(o.eu!.value, 3);
    assert.equal(o.eu!.ts, Date.parse('2026-01-05T09:00:00Z'), 'ISO 8601 timestamp');
    assert.equal(o.us!.value, 4.5, 'a number written as a string');
    assert.equal(o.us!.ts, 1767603600_000, 'epoch seconds');
    assert.equal(o.apac!.ts, 1767603600123, 'epoch milliseconds');
    assert.deepEqual(Object.fromEntries(Object.entries(byRegion('region_open')).map(([k, s]) => [k, s.value])), { eu: 1, us: 0, apac: 1 });
    const total = r.samples.find((s) => s.name === 'orders_total')!;
    assert.deepEqual(total, { name: 'orders_total', labels: {}, ts: NOW.getTime(), value: 7 });
    assert.equal(r.warnings, undefined);
  });

  it('adds root_labels read once from the document to every item, and treats a missing one like a missing value', async () => {
    const base = { url: `${server.url}/stats`, auth: { bearer: TOKEN } };
    const r = await collect({ ...base, metrics: [{ ...orders, root_labels: { account: '$.account' } }] });
    assert.deepEqual(r.samples.map((s) => s.labels).sort((a, b) => (a.region! < b.region! ? -1 : 1)), [
      { account: 'acme', region: 'apac' },
      { account: 'acme', region: 'eu' },
      { account: 'acme', region: 'us' },
    ]);
    await assert.rejects(
      collect({ ...base, metrics: [{ ...orders, root_labels: { account: '$.acct' } }] }),
      /collector "shop", metric "orders": root label account path \$\.acct matched nothing in the document/,
    );
    const skipped = await collect({ ...base, on_missing: 'skip', metrics: [{ ...orders, root_labels: { account: '$.acct' } }, { name: 'orders_total', value: '$.total' }] });
    assert.deepEqual(skipped.samples.map((s) => s.name), ['orders_total'], 'the other metric is still read');
    assert.deepEqual(skipped.warnings, ['metric "orders": root label account path $.acct matched nothing: skipped 1 time (first in the document)']);
  });

  it('sends the Authorization header written with ${ENV} in the workload file, and fails on a 401 without printing the token', async () => {
    const text = [
      'workload: { id: shop, title: Shop }',
      'collectors:',
      '  - id: shop-api',
      '    type: json',
      `    url: ${server.url}/stats`,
      '    headers: { Authorization: "Bearer ${SHOP_TOKEN}" }',
      '    metrics: [{ name: orders_total, value: $.total }]',
    ].join('\n');
    const loaded = loadWorkloadText(text, { registry: collectorRegistry, env: { SHOP_TOKEN: TOKEN }, file: 'w.yaml' });
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
    const entry = loaded.workload.collectors[0]!;
    const before = requestsTo('/stats').length;
    const r = await json.collect(entry.config as JsonConfig, { signal: AbortSignal.timeout(10_000), now: NOW, log: silentLogger, collectorId: 'shop-api' });
    assert.deepEqual(r.samples.map((s) => s.value), [7]);
    assert.equal(requestsTo('/stats').at(-1)!.auth, `Bearer ${TOKEN}`);
    assert.equal(requestsTo('/stats').length, before + 1);

    await assert.rejects(collect({ url: `${server.url}/stats`, auth: { bearer: 'wrong-token' }, metrics: [{ name: 'x', value: '$.total' }] }), (err: Error) => {
      assert.match(err.message, /\/stats answered 401/);
      assert.match(err.message, /invalid token/);
      assert.ok(!err.message.includes('wrong-token'), err.message);
      return true;
    });
  });

  it('sets query parameters on every page, also when a next link leaves them out, and hides their values in messages', async () => {
    const before = requestsTo('/keyed').length;
    const r = await collect({ url: `${server.url}/keyed`, query: { api_key: TOKEN }, pagination: { type: 'link_header' }, metrics: [orders] });
    assert.deepEqual(regions(r), ['r1=10', 'r2=20']);
    assert.deepEqual(requestsTo('/keyed').slice(before).map((q) => q.url), [`/keyed?api_key=${TOKEN}`, `/keyed?page=2&api_key=${TOKEN}`]);
    await assert.rejects(collect({ url: `${server.url}/keyed?x=1`, query: { api_key: 'wrong-key-77' }, metrics: [orders] }), (err: Error) => {
      assert.match(err.message, /\/keyed\?x=1&api_key=\*\*\* answered 403 Forbidden: "bad key"/);
      assert.ok(!err.message.includes('wrong-key-77'), err.message);
      return true;
    });
  });

  it('POSTs the JSON body and reads the answer', async () => {
    const r = await collect({ url: `${server.url}/search`, method: 'POST', body: { query: 'paid' }, metrics: [orders] });
    assert.deepEqual(regions(r), ['r1=10']);
    const sent = requestsTo('/search').at(-1)!;
    assert.equal(sent.method, 'POST');
    assert.deepEqual(JSON.parse(sent.body!), { query: 'paid' });
  });

  it('parses numbers given as strings strictly: "12abc" and " 12" fail, naming collector, metric and path', async () => {
    for (const route of ['/values', '/spaced']) {
      await assert.rejects(collect({ url: `${server.url}${route}`, metrics: [{ name: 'v', items: '$.data[*]', value: '$.v' }] }), (err: Error) => {
        assert.match(err.message, /collector "shop", metric "v": value path \$\.v: the string "(12abc| 12)" is not a number in item 1 of \$\.data\[\*\]/);
        return true;
      });
    }
  });

  it('fails when a value path matches nothing, naming collector, metric, path and item', async () => {
    await assert.rejects(collect({ url: `${server.url}/nulls`, metrics: [orders] }), (err: Error) => {
      assert.equal(err.message, 'collector "shop", metric "orders": value path $.count found null in item 2 of $.data[*] (on_missing: skip would leave such items out)');
      return true;
    });
    await assert.rejects(collect({ url: `${server.url}/nulls`, metrics: [{ ...orders, value: '$.cnt' }] }), /metric "orders": value path \$\.cnt matched nothing in item 1 of \$\.data\[\*\]/);
    await assert.rejects(collect({ url: `${server.url}/nulls`, metrics: [{ ...orders, items: '$.data' }] }), /value path \$\.count matched nothing in item 1 of \$\.data; the item is a list: did you mean items: \$\.data\[\*\]\?/);
  });

  it('with on_missing: skip leaves incomplete items out and counts them in warnings', async () => {
    const r = await collect({ url: `${server.url}/nulls`, on_missing: 'skip', metrics: [orders] });
    assert.deepEqual(regions(r), ['eu=5']);
    assert.deepEqual(r.warnings, [
      'metric "orders": value path $.count found null: skipped 1 time (first in item 2 of $.data[*])',
      'metric "orders": value path $.count matched nothing: skipped 1 time (first in item 3 of $.data[*])',
      'metric "orders": label region path $.region matched nothing: skipped 1 time (first in item 4 of $.data[*])',
    ]);
  });

  it('fails when the items path matches nothing, but not when it walks an empty array', async () => {
    await assert.rejects(collect({ url: `${server.url}/empty`, metrics: [{ ...orders, items: '$.dta[*]' }] }), /metric "orders": items path \$\.dta\[\*\] matched nothing in the document/);
    const r = await collect({ url: `${server.url}/empty`, metrics: [orders] });
    assert.deepEqual(r.samples, []);
    assert.equal(r.warnings, undefined);
  });

  it('fails on a path that matches several values, a negative counter, and two items giving the same series', async () => {
    await assert.rejects(collect({ url: `${server.url}/nested`, metrics: [{ ...orders, value: '$.counts[*]' }] }), /value path \$\.counts\[\*\] matched 2 values in item 1/);
    await assert.rejects(collect({ url: `${server.url}/nested`, metrics: [{ ...orders, value: '$.counts' }] }), /value path \$\.counts: found an array \(2 elements\), not a number/);
    await assert.rejects(collect({ url: `${server.url}/negative`, metrics: [{ ...orders, type: 'counter' }] }), /gave -1 in item 1 of \$\.data\[\*\]; a counter is never negative/);
    await assert.rejects(collect({ url: `${server.url}/twice`, metrics: [orders] }), /item 2 of \$\.data\[\*\] gives the same series \{region="eu"\} at the same time as item 1 of \$\.data\[\*\]/);
  });
});

describe('json collector: pagination', () => {
  it('follows RFC 8288 Link rel="next" headers, reading itemised metrics on every page and root figures once', async () => {
    const before = requestsTo('/link').length;
    const r = await collect({ url: `${server.url}/link`, pagination: { type: 'link_header' }, metrics: [orders, { name: 'total_orders', value: '$.total_orders' }] });
    assert.deepEqual(regions(r), ['r1=10', 'r2=20', 'r3=30']);
    assert.deepEqual(r.samples.filter((s) => s.name === 'total_orders').map((s) => s.value), [30]);
    assert.deepEqual(requestsTo('/link').slice(before).map((q) => q.url), ['/link', '/link?page=2', '/link?page=3']);
  });

  it('follows a next URL found in the body, stopping at null', async () => {
    const r = await collect({ url: `${server.url}/next`, pagination: { type: 'next_url', path: '$.links.next' }, metrics: [orders] });
    assert.deepEqual(regions(r), ['r1=10', 'r2=20', 'r3=30']);
  });

  it('sends a cursor from the body back as a query parameter, stopping at ""', async () => {
    const before = requestsTo('/cursor').length;
    const r = await collect({ url: `${server.url}/cursor?limit=1`, pagination: { type: 'cursor', path: '$.meta.next', param: 'after' }, metrics: [orders] });
    assert.deepEqual(regions(r), ['r1=10', 'r2=20', 'r3=30']);
    assert.deepEqual(requestsTo('/cursor').slice(before).map((q) => q.url), ['/cursor?limit=1', '/cursor?limit=1&after=c1', '/cursor?limit=1&after=c2']);
  });

  it('sends a cursor back as a field of the POST body, keeping the other fields and the token', async () => {
    const before = requestsTo('/search').length;
    const r = await collect({
      url: `${server.url}/search`,
      method: 'POST',
      body: { query: 'paid' },
      auth: { bearer: TOKEN },
      pagination: { type: 'cursor', path: '$.next_cursor', body_field: 'cursor' },
      metrics: [orders],
    });
    assert.deepEqual(regions(r), ['r1=10', 'r2=20', 'r3=30']);
    const sent = requestsTo('/search').slice(before);
    assert.deepEqual(sent.map((q) => JSON.parse(q.body!)), [{ query: 'paid' }, { query: 'paid', cursor: 1 }, { query: 'paid', cursor: 2 }]);
    assert.ok(sent.every((q) => q.auth === `Bearer ${TOKEN}`));
  });

  it('counts page numbers up from start until a page has no items, which is not read', async () => {
    const before = requestsTo('/numbered').length;
    const r = await collect({ url: `${server.url}/numbered?per_page=1`, pagination: { type: 'page_number', param: 'page', max_pages: 3 }, metrics: [orders] });
    assert.deepEqual(regions(r), ['r1=10', 'r2=20', 'r3=30']);
    assert.deepEqual(requestsTo('/numbered').slice(before).map((q) => q.url), [1, 2, 3, 4].map((k) => `/numbered?per_page=1&page=${k}`));
    const r0 = await collect({ url: `${server.url}/numbered`, pagination: { type: 'page_number', param: 'page', start: 0 }, metrics: [orders] });
    assert.deepEqual(regions(r0), [], 'start: 0 asks for page 0 first; here it is empty, so it is the only page');
    assert.equal(requestsTo('/numbered').at(-1)!.url, '/numbered?page=0');
  });

  it('moves an offset by step until a page has no items', async () => {
    const before = requestsTo('/offset').length;
    const r = await collect({ url: `${server.url}/offset?limit=2`, pagination: { type: 'offset', param: 'offset', step: 2 }, metrics: [orders] });
    assert.deepEqual(regions(r), ['o0=10', 'o1=20', 'o2=30', 'o3=40', 'o4=50']);
    assert.deepEqual(requestsTo('/offset').slice(before).map((q) => new URL(q.url, 'http://x').searchParams.get('offset')), ['0', '2', '4', '6']);
  });

  it('stops with an error when the API answers the same page again (it ignores the page parameter)', async () => {
    await assert.rejects(
      collect({ url: `${server.url}/ignores-page`, pagination: { type: 'page_number', param: 'page' }, metrics: [orders] }),
      /page 2 is the same as page 1; stopped to avoid a loop \(does the API read the pagination parameter\?\)/,
    );
  });

  it('stops at max_pages with an error, having asked for exactly that many pages', async () => {
    const before = requestsTo('/endless').length;
    await assert.rejects(
      collect({ url: `${server.url}/endless`, pagination: { type: 'link_header', max_pages: 4 }, metrics: [orders] }),
      /\/endless has more than pagination\.max_pages \(4\) pages; raise max_pages if this is expected/,
    );
    assert.equal(requestsTo('/endless').length - before, 4);
  });

  it('stops with an error when a cursor or a next URL comes back a second time', async () => {
    const before = requestsTo('/stuck').length;
    await assert.rejects(
      collect({ url: `${server.url}/stuck`, pagination: { type: 'cursor', path: '$.meta.next', param: 'c' }, metrics: [orders] }),
      /page 2 gives the same next cursor "same-cursor" as an earlier page; stopped to avoid a loop/,
    );
    assert.equal(requestsTo('/stuck').length - before, 2);
    await assert.rejects(
      collect({ url: `${server.url}/back`, pagination: { type: 'link_header' }, metrics: [orders] }),
      /page 2 gives the same next URL http:\/\/127\.0\.0\.1:\d+\/back as an earlier page/,
    );
  });

  it('refuses a next URL on another origin, so credentials are never sent there', async () => {
    await assert.rejects(
      collect({ url: `${server.url}/elsewhere`, auth: { bearer: TOKEN }, pagination: { type: 'next_url', path: '$.links.next' }, metrics: [orders] }),
      /points the next page to http:\/\/127\.0\.0\.2:9\/steal, another origin; refusing to follow/,
    );
  });

  it('fails when the pages together pass max_total_bytes', async () => {
    await assert.rejects(
      collect({ url: `${server.url}/sized`, pagination: { type: 'link_header', max_total_bytes: 1500 }, metrics: [orders] }),
      /page 3 takes the run past pagination\.max_total_bytes \(1500 bytes over all pages\)/,
    );
  });
});

describe('json collector: bad answers and limits', () => {
  it('fails on a body over max_body_bytes', async () => {
    await assert.rejects(collect({ url: `${server.url}/big`, max_body_bytes: '1KiB', metrics: [orders] }), /\/big response body exceeds 1 KiB \(raise max_body_bytes/);
  });

  it('is cut at the run timeout when a later page never comes', async () => {
    await assert.rejects(
      collect({ url: `${server.url}/slow-second`, pagination: { type: 'link_header' }, metrics: [orders] }, AbortSignal.timeout(300)),
      /\/slow-second\?page=2 did not answer in time \(gave up after \d+ ms\)/,
    );
  });

  it('fails on invalid JSON, naming the URL and the parser\'s complaint', async () => {
    await assert.rejects(collect({ url: `${server.url}/bad`, metrics: [orders] }), /\/bad answered invalid JSON \(.+\): "\{"data": \[1, 2,"/);
  });

  it('reads a body that starts with a byte order mark', async () => {
    assert.deepEqual(regions(await collect({ url: `${server.url}/bom`, metrics: [orders] })), ['eu=2']);
  });

  it('fails on an HTML page (a login page), quoting it', async () => {
    await assert.rejects(collect({ url: `${server.url}/html`, metrics: [orders] }), /\/html answered text\/html, not JSON \(a login page or a proxy error\?\): "Please sign in"/);
  });
});

describe('json collector: configuration', () => {
  const base = { url: 'http://127.0.0.1:1/x', metrics: [orders] };
  const issues = (raw: unknown) => {
    const r = json.config.safeParse(raw);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('refuses JSONPath filter and script expressions at load time, naming the field', () => {
    assert.deepEqual(issues({ ...base, metrics: [{ ...orders, value: '$.items[?(@.price > 10)]' }] }), [
      'metrics.0.value: "$.items[?(@.price > 10)]" is not a JSONPath this collector accepts: filter expressions ([?…]) are not supported: in jsonpath-plus they run code (character 9); select with paths and labels instead',
    ]);
    assert.match(issues({ ...base, metrics: [{ ...orders, labels: { region: '$[(@.length-1)]' } }] })[0]!, /^metrics\.0\.labels\.region: .*script expressions/);
    assert.match(issues({ ...base, pagination: { type: 'next_url', path: '$..[?(@.x)]' } })[0]!, /^pagination\.path: .*filter expressions/);
  });

  it('reports JSONPath syntax errors with the field and the position', () => {
    assert.deepEqual(issues({ ...base, metrics: [{ ...orders, items: '$.data[' }] }), ['metrics.0.items: "$.data[" is not a JSONPath this collector accepts: "[" at character 7 is never closed']);
    assert.match(issues({ ...base, metrics: [{ ...orders, value: 'count' }] })[0]!, /^metrics\.0\.value: .*must start with "\$"/);
    assert.match(issues({ ...base, metrics: [{ ...orders, timestamp: '$.a b' }] })[0]!, /^metrics\.0\.timestamp: .*unexpected " " at character 4/);
  });

  it('`pillarboard check` reports a bad JSONPath at its file:line:column', () => {
    const text = [
      'workload: { id: shop, title: Shop }',
      'collectors:',
      '  - id: shop-api',
      '    type: json',
      '    url: http://127.0.0.1:1/stats',
      '    metrics:',
      '      - name: orders',
      '        value: $.data[?(@.n)]',
    ].join('\n');
    const r = loadWorkloadText(text, { registry: collectorRegistry, env: {}, file: 'w.yaml' });
    assert.equal(r.ok, false);
    const issue = !r.ok ? r.errors[0]! : undefined;
    assert.deepEqual({ line: issue?.line, column: issue?.column, path: issue?.path }, { line: 8, column: 16, path: 'collectors[0].metrics[0].value' });
  });

  it('rejects a pagination parameter that query also sets', () => {
    assert.deepEqual(issues({ ...base, query: { page: '1' }, pagination: { type: 'page_number', param: 'page' } }), [
      'pagination.param: page is also set in query, which would hold it fixed; set it in one place',
    ]);
  });

  it('rejects a label given both in labels and root_labels', () => {
    assert.deepEqual(issues({ ...base, metrics: [{ ...orders, root_labels: { region: '$.region' } }] }), ['metrics.0.root_labels.region: label region is also in labels; give it once']);
  });

  it('rejects a body with GET, a cursor without a destination, and a body_field without POST', () => {
    assert.deepEqual(issues({ ...base, body: { q: 1 } }), ['body: a body is sent only with method: POST']);
    assert.deepEqual(issues({ ...base, pagination: { type: 'cursor', path: '$.next' } }), ['pagination: give param or body_field (where the cursor is sent), exactly one']);
    assert.deepEqual(issues({ ...base, pagination: { type: 'cursor', path: '$.next', body_field: 'cursor' } }), ['pagination.body_field: needs method: POST (a GET has no body)']);
    assert.match(issues({ ...base, pagination: { type: 'pages' } }).join('\n'), /pagination(\.type)?: type must be link_header, next_url, cursor, page_number or offset/);
    assert.deepEqual(issues({ ...base, metrics: [{ name: 'total', value: '$.total' }], pagination: { type: 'page_number', param: 'page' } }), [
      'pagination.type: page_number pagination ends at a page without items, so at least one metric needs items:',
    ]);
  });
});
