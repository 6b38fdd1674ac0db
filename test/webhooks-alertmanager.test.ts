import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { loadWorkloadText } from '../server/workload/index.js';
import { assertProblem, eventCount, eventsApp, NOW } from './fixtures/events-helpers.js';
import { testRegistry, lines } from './workload-helpers.js';
import { testRuntime } from './support/runtime.js';
import { ALERTMANAGER_BIN, startAlertmanager, type Alertmanager } from './support/alertmanager.js';
import { requireBinary, waitFor } from './support/real-binaries.js';

const TOKEN = 'am-token-5f1c2e';
const CONFIG = [
  'operations:',
  '  webhooks:',
  '    alertmanager:',
  '      bearer_token: "${AM_TOKEN}"',
  '      basic_auth: { username: am, password: "${AM_PASSWORD}" }',
  '      match: [\'{severity=~"critical|page"}\', \'{team="payments"}\']',
].join('\n');
const { runtime, app } = eventsApp(CONFIG, { AM_TOKEN: TOKEN, AM_PASSWORD: 'pw-77' });

const iso = (ms: number) => new Date(ms).toISOString();
const ZERO = '0001-01-01T00:00:00Z';

/** An Alertmanager webhook body (version 4) with the given alerts, as its webhook receiver sends it. */
function payload(alerts: Array<Record<string, unknown>>, status = 'firing') {
  return {
    receiver: 'pillarboard',
    status,
    alerts: alerts.map((a) => ({ status: 'firing', annotations: {}, endsAt: ZERO, generatorURL: 'http://prom.example/graph?g0.expr=up', ...a })),
    groupLabels: { alertname: 'CheckoutErrors' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: '{}:{alertname="CheckoutErrors"}',
    truncatedAlerts: 0,
  };
}

const checkout = (over: Record<string, unknown> = {}) => ({
  labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical', environment: 'prod' },
  annotations: { summary: 'Checkout 5xx above 5%' },
  startsAt: iso(NOW - 3_600_000),
  fingerprint: 'a1b2c3d4e5f60718',
  ...over,
});

const deliver = (body: unknown, auth: string | null = `Bearer ${TOKEN}`) => {
  const req = request(app).post('/api/webhooks/alertmanager').set('Content-Type', 'application/json');
  if (auth !== null) req.set('Authorization', auth);
  return req.send(JSON.stringify(body));
};

test('Alertmanager deliveries without the configured bearer token or basic auth are refused with 401 and store nothing', async () => {
  for (const [auth, why] of [
    [null, /Authorization header is missing/],
    ['Bearer wrong', /bearer token does not match/],
    [`Basic ${Buffer.from('am:nope').toString('base64')}`, /user name or password does not match/],
    [`Token ${TOKEN}`, /not Bearer or Basic credentials/],
  ] as const) {
    const res = await deliver(payload([checkout()]), auth);
    assertProblem(res, 401, 'Authorization');
    assert.match(res.body.detail, why);
  }
  assert.equal(eventCount(runtime), 0);
});

test('a firing Alertmanager alert becomes an open incident with service, severity and environment from its labels', async () => {
  const res = await deliver(payload([checkout()])).expect(200);
  const id = `a1b2c3d4e5f60718@${NOW - 3_600_000}`;
  assert.deepEqual(res.body.events, [{ kind: 'incident', source: 'alertmanager', id }]);
  const e = runtime.events.getEvent('alertmanager', id)!;
  assert.equal(e.service, 'checkout');
  assert.equal(e.environment, 'prod');
  assert.equal(e.status, 'open');
  assert.equal(e.title, 'Checkout 5xx above 5%');
  assert.equal(e.startedAt, NOW - 3_600_000);
  assert.equal(e.endedAt, undefined);
  assert.deepEqual(e.attrs, {
    severity: 'critical',
    alertname: 'CheckoutErrors',
    fingerprint: 'a1b2c3d4e5f60718',
    url: 'http://prom.example/graph?g0.expr=up',
    observedAt: NOW - 3_600_000,
  });
});

test('a repeated firing delivery is one incident, the resolved one ends it at endsAt, and a late firing one does not reopen it', async () => {
  const id = `a1b2c3d4e5f60718@${NOW - 3_600_000}`;
  const basic = `Basic ${Buffer.from('am:pw-77').toString('base64')}`;
  assert.equal((await deliver(payload([checkout()]), basic).expect(200)).body.updated, 1);
  await deliver(payload([checkout({ status: 'resolved', endsAt: iso(NOW - 600_000) })], 'resolved')).expect(200);
  let e = runtime.events.getEvent('alertmanager', id)!;
  assert.equal(e.status, 'resolved');
  assert.equal(e.endedAt, NOW - 600_000);
  assert.equal((await deliver(payload([checkout()])).expect(200)).body.skipped, 1);
  e = runtime.events.getEvent('alertmanager', id)!;
  assert.equal(e.endedAt, NOW - 600_000);
  // The same alert firing again later is another incident.
  await deliver(payload([checkout({ startsAt: iso(NOW - 60_000) })])).expect(200);
  assert.equal(runtime.events.listEvents({ source: 'alertmanager' }).length, 2);
});

test('only alerts matching one of the configured matcher sets become incidents; a delivery with none matching is 202', async () => {
  const before = eventCount(runtime);
  const info = checkout({ labels: { alertname: 'DiskFilling', severity: 'info', job: 'node' }, fingerprint: 'ff00' });
  const res = await deliver(payload([info])).expect(202);
  assert.match(res.body.ignored, /no alert in the delivery matches operations\.webhooks\.alertmanager\.match/);
  const payments = checkout({ labels: { alertname: 'Refunds', severity: 'warning', team: 'payments', job: 'refunds' }, fingerprint: 'ee11' });
  const mixed = await deliver(payload([info, payments])).expect(200);
  assert.deepEqual(mixed.body.events.map((e: { id: string }) => e.id), [`ee11@${NOW - 3_600_000}`]);
  assert.equal(runtime.events.getEvent('alertmanager', `ee11@${NOW - 3_600_000}`)!.service, 'refunds', 'service falls back to job');
  assert.equal(eventCount(runtime), before + 1);
});

test('an Alertmanager payload of another version, or a selected alert without a usable startsAt, is 400 naming the field', async () => {
  const v3 = { ...payload([checkout()]), version: '3' };
  assertProblem(await deliver(v3), 400, 'version');
  const bad = await deliver(payload([checkout({ fingerprint: 'dd22' }), checkout({ fingerprint: 'cc33', startsAt: 'yesterday' })]));
  assertProblem(bad, 400, 'alerts[1].startsAt');
  assert.equal(runtime.events.getEvent('alertmanager', `dd22@${NOW - 3_600_000}`), undefined, 'nothing of the delivery is stored');
});

test('the workload check refuses an alertmanager webhook without credentials, and a matcher that does not parse, naming the path', () => {
  const check = (...extra: string[]) => {
    const r = loadWorkloadText(lines('workload: { id: w, title: W }', 'collectors: []', 'operations:', '  webhooks:', ...extra), {
      file: 'workload.yaml',
      registry: testRegistry(),
      env: {},
    });
    assert.equal(r.ok, false);
    return r.ok ? undefined : r.errors[0];
  };
  const noAuth = check('    alertmanager: { match: [\'{severity="critical"}\'] }');
  assert.equal(noAuth?.path, 'operations.webhooks.alertmanager');
  assert.match(noAuth?.message ?? '', /set bearer_token or basic_auth/);
  const badMatcher = check('    alertmanager: { bearer_token: t, match: [\'{severity=="critical"}\'] }');
  assert.equal(badMatcher?.path, 'operations.webhooks.alertmanager.match[0]');
  assert.match(badMatcher?.message ?? '', /matcher: expected/);
});

describe('a real Alertmanager delivering to Pillarboard', { skip: requireBinary(ALERTMANAGER_BIN) }, () => {
  // Real time here: Alertmanager stamps and resolves alerts by its own clock.
  const { runtime: live } = testRuntime(`workload: { id: shop, title: Shop }\n${CONFIG}`, { AM_TOKEN: TOKEN, AM_PASSWORD: 'pw-77' });
  let server: http.Server;
  let am: Alertmanager;
  before(async () => {
    live.load(false, { evaluate: false });
    server = http.createServer(createApp(live.apiDeps()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    am = await startAlertmanager(
      [
        'route: { receiver: pillarboard, group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }',
        'receivers:',
        '  - name: pillarboard',
        '    webhook_configs:',
        `      - url: http://127.0.0.1:${port}/api/webhooks/alertmanager`,
        '        send_resolved: true',
        `        http_config: { authorization: { type: Bearer, credentials: "${TOKEN}" } }`,
      ].join('\n'),
    );
  });
  after(async () => {
    await am?.stop();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('an alert posted to Alertmanager arrives as an open incident, and resolving it there ends the incident', async () => {
    const startsAt = new Date(Date.now() - 120_000).toISOString();
    const labels = { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' };
    await am.postAlerts([
      { labels, annotations: { summary: 'Checkout 5xx above 5%' }, startsAt, generatorURL: 'http://prom.example/graph' },
      { labels: { alertname: 'Chatty', severity: 'info', service: 'checkout' }, startsAt },
    ]);
    const [held] = await am.alerts(['alertname="CheckoutErrors"']);
    const id = `${held!.fingerprint}@${Date.parse(startsAt)}`;
    const open = await waitFor('the firing incident', async () => live.events.getEvent('alertmanager', id));
    assert.equal(open.status, 'open');
    assert.equal(open.service, 'checkout');
    assert.equal(open.attrs?.['severity'], 'critical');
    const endsAt = new Date(Date.now() - 1000).toISOString();
    await am.postAlerts([{ labels, annotations: { summary: 'Checkout 5xx above 5%' }, startsAt, endsAt }]);
    const closed = await waitFor('the resolved incident', async () => {
      const e = live.events.getEvent('alertmanager', id);
      return e?.endedAt !== undefined ? e : undefined;
    });
    assert.equal(closed.status, 'resolved');
    assert.equal(closed.endedAt, Date.parse(endsAt));
    assert.equal(live.events.listEvents({ source: 'alertmanager' }).length, 1, 'the info alert is not matched');
    // DORA counts it: one restoration of about two minutes.
    const dora = await request(createApp(live.apiDeps())).get('/api/dora?service=checkout').expect(200);
    const ttr = dora.body.scopes.find((s: { service: string | null }) => s.service === 'checkout').keys.time_to_restore;
    assert.equal(ttr.sampleSize, 1);
    assert.ok(Math.abs(ttr.value - 119) < 2, `time to restore ${ttr.value} s`);
  });
});
