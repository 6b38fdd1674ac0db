import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { createApp } from '../server/api/app.js';
import { testRuntime } from './support/runtime.js';
import { contractViolations } from './support/api-contract.js';

/**
 * Issue 12, "Tests and evidence": generated requests over every route answer something other
 * than 5xx. Each request takes a route the app serves, path parameters, query parameters the API
 * knows (with hostile values: huge numbers, catastrophic regexes, far times, unicode) and, for
 * writes, a generated JSON body (deeply nested ones included) with or without a valid token.
 * Every answer must also be one the OpenAPI document describes (status, content type, body).
 * Not generated: GET /api/stream (never ends; stream-token.test.ts covers it) and
 * POST /api/reports/run (renders a PDF in Chromium; reports-api.test.ts covers it).
 */
const RUNS = Number(process.env.PILLARBOARD_FUZZ_RUNS ?? 10_000);
const SKIP = new Set(['GET /api/stream', 'POST /api/reports/run', 'GET /{*path}']);

const { runtime } = testRuntime(
  [
    'workload: { id: fuzz, title: Fuzz }',
    'collectors: []',
    'indicators:',
    '  - { id: up, title: Up, pillar: reliability, unit: count, series: up, objective: { min: 1 } }',
    'outcomes:',
    '  - { id: shop_works, title: Shop works, indicators: [up] }',
    'operations:',
    '  webhooks:',
    '    github: { secret: s3cret }',
    '    gitlab: { token: t0ken }',
    '    pagerduty: { secret: s3cret }',
  ].join('\n') + '\n',
);
let server: Server;
let base = '';
let writeToken = '';
let routes: Array<[string, string]> = [];

before(async () => {
  runtime.load(false, { evaluate: true });
  writeToken = runtime.tokens.create('fuzz', 'admin').token;
  const app = createApp(runtime.apiDeps());
  routes = routesOf(app).filter(([m, p]) => !SKIP.has(`${m} ${p}`));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const PARAMS = ['from', 'to', 'step', 'match', 'limit', 'agg', 'metric', 'kind', 'source', 'service', 'environment', 'week', 'format', 'lens', 'milestone', 'a', 'b', 'status', 'pillar', 'token'];

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    'now', 'now-1h', 'now-9999999999w', '99999999999999999999', '-1', '0', '1e308', 'NaN', '99999999999999999999999h', '1.5', '',
    '{label=~"(.*.*)*!"}', 'up{job=~"(a+)+$"}', '{__name__=~".+"}', 'up{a="\\', '2026-11-26T10:00:00Z', '+275760-09-13T00:00:00Z',
    'reliability', 'up', 'shop_works', 'wellarchitected', '2026-W48', 'html', 'pdf', 'md', 'javascript:alert(1)', '%00', '../../etc/passwd',
  ),
  fc.integer().map(String),
  fc.double().map(String),
);

/** Nested JSON up to a depth that crosses the 32-level guard now and then. */
const deepJson = fc.integer({ min: 1, max: 2000 }).map((n) => JSON.parse(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`) as unknown);
const eventLike = fc.record(
  {
    kind: fc.oneof(fc.constantFrom('deployment', 'incident', 'change', 'gameday'), fc.string()),
    id: fc.oneof(fc.string(), fc.constant('x'.repeat(300))),
    start: hostile,
    end: hostile,
    links: fc.record({ url: fc.oneof(fc.webUrl(), fc.constantFrom('javascript:alert(1)', 'data:text/html,x')), commits: fc.array(fc.record({ sha: fc.stringMatching(/^[0-9a-f]{0,70}$/) }), { maxLength: 3 }) }, { requiredKeys: [] }),
    attributes: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), deepJson),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(fc.jsonValue(), eventLike, fc.record({ events: fc.array(eventLike, { maxLength: 5 }) }), deepJson, fc.string());

const request = fc.record({
  route: fc.integer({ min: 0, max: 10_000 }),
  segments: fc.array(fc.oneof(hostile, fc.constantFrom('up', 'shop_works', 'reliability', 'wellarchitected', '1')), { minLength: 4, maxLength: 4 }),
  query: fc.dictionary(fc.constantFrom(...PARAMS), hostile, { maxKeys: 4 }),
  body,
  auth: fc.constantFrom('valid', 'none', 'garbage'),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
});

test(`${RUNS} generated requests over every route: none answers 5xx`, { timeout: 15 * 60_000 }, async (t) => {
  const failures: string[] = [];
  const departures: string[] = [];
  let served = 0;
  // /healthz is probed throughout, on its own connection, to show the server never stalls.
  const healthMs: number[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const t0 = performance.now();
      await fetch(`${base}/healthz`);
      healthMs.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const [method, template] = routes[r.route % routes.length]!;
      let i = 0;
      const path = template.replace(/:(\w+)/g, () => encodeURIComponent(r.segments[i++] ?? 'x'));
      const qs = new URLSearchParams(r.query).toString();
      const headers: Record<string, string> = { 'content-type': r.contentType };
      if (r.auth === 'valid') headers.authorization = `Bearer ${writeToken}`;
      if (r.auth === 'garbage') headers.authorization = 'Bearer pb_garbage';
      let text: string | undefined;
      if (method !== 'GET' && method !== 'DELETE') {
        try {
          text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
        } catch {
          text = '{}';
        }
      }
      const res = await fetch(`${base}${path}${qs ? `?${qs}` : ''}`, { method, headers, body: text });
      const answer = await res.text();
      served++;
      if (res.status >= 500 && res.status !== 503) failures.push(`${res.status} ${method} ${path}?${qs}: ${answer.slice(0, 300)}`);
      // 503 is a truthful answer only for "not ready" or a busy budget, never for a bug.
      if (res.status === 503 && !/not-ready|busy|storage-unavailable/.test(answer)) failures.push(`503 ${method} ${path}?${qs}: ${answer.slice(0, 300)}`);
      // Every answer, 4xx included, is one the OpenAPI document describes.
      const type = res.headers.get('content-type') ?? undefined;
      const binary = type?.startsWith('application/pdf');
      departures.push(...contractViolations({ method, url: `${path}?${qs}`, status: res.status, contentType: type, text: binary ? undefined : answer }));
      return true;
    }),
    { numRuns: RUNS, seed: Number(process.env.PILLARBOARD_FUZZ_SEED ?? 12) },
  );
  probing = false;
  await probe;
  healthMs.sort((a, b) => a - b);
  const p99 = healthMs[Math.floor(healthMs.length * 0.99)] ?? 0;
  t.diagnostic(`${served} requests over ${routes.length} routes; /healthz probed ${healthMs.length} times, p99 ${p99.toFixed(1)} ms, max ${(healthMs.at(-1) ?? 0).toFixed(1)} ms`);
  assert.equal(served, RUNS);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} requests answered 5xx`);
  assert.deepEqual([...new Set(departures)].slice(0, 20), [], `${departures.length} answers depart from the OpenAPI document`);
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
});

/** Every (method, path) Express has a route for, walking nested routers. */
function routesOf(appOrRouter: any): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const layer of appOrRouter.router?.stack ?? appOrRouter.stack ?? []) {
    if (layer.route) {
      for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push([m.toUpperCase(), layer.route.path]);
    } else if (layer.handle?.stack) out.push(...routesOf(layer.handle));
  }
  return out;
}
