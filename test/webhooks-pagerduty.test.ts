import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from './support/api-request.js';
import { createApp } from '../server/api/app.js';
import { assertProblem, edited, eventCount, eventsApp, fixture, hmacHex } from './fixtures/events-helpers.js';

const SECRET = 'pd-secret-2b8e1f';
const NEXT_SECRET = 'pd-secret-rotated-91c4';
const { runtime, app } = eventsApp(['operations:', '  webhooks:', '    pagerduty: { secret: "${PAGERDUTY_WEBHOOK_SECRET}" }'].join('\n'), {
  PAGERDUTY_WEBHOOK_SECRET: SECRET,
});

const sign = (body: Buffer, ...secrets: string[]) => secrets.map((s) => `v1=${hmacHex(s, body)}`).join(',');

function deliver(body: Buffer, signature: string | null = sign(body, SECRET)) {
  const req = request(app).post('/api/webhooks/pagerduty').set('Content-Type', 'application/json');
  if (signature !== null) req.set('X-PagerDuty-Signature', signature);
  return req.send(body.toString('utf8'));
}

const resolved = (occurredAt = '2026-11-24T14:58:30.000Z') =>
  edited('pagerduty', 'incident.triggered', (p) => {
    p.event.id = '01FXMCH9T2V5RZ8Q3K6N1W4B7D';
    p.event.event_type = 'incident.resolved';
    p.event.occurred_at = occurredAt;
    p.event.data.status = 'resolved';
  });

test('PagerDuty deliveries without a v1 signature or signed with another secret are refused with 401 and store nothing', async () => {
  const body = fixture('pagerduty', 'incident.triggered');
  for (const [signature, why] of [
    [null, /header is missing/],
    [sign(body, 'not the secret'), /no X-PagerDuty-Signature signature matches/],
    [`v0=${hmacHex(SECRET, body)}`, /no "v1=<64 hex digits>"/],
  ] as const) {
    const res = await deliver(body, signature);
    assertProblem(res, 401, 'X-PagerDuty-Signature');
    assert.match(res.body.detail, why);
  }
  assert.equal(eventCount(runtime), 0);
});

test('PagerDuty incident.triggered becomes an open incident on the service named in the payload', async () => {
  const res = await deliver(fixture('pagerduty', 'incident.triggered')).expect(200);
  assert.deepEqual(res.body.events, [{ kind: 'incident', source: 'pagerduty', id: 'Q2LKT9Z8E4R7TN' }]);
  const e = runtime.events.getEvent('pagerduty', 'Q2LKT9Z8E4R7TN')!;
  assert.equal(e.kind, 'incident');
  assert.equal(e.service, 'Checkout');
  assert.equal(e.status, 'triggered');
  assert.equal(e.title, 'Checkout error rate above 5%');
  assert.equal(e.startedAt, Date.parse('2026-11-24T14:22:04Z'));
  assert.equal(e.endedAt, undefined);
  assert.deepEqual(e.attrs, {
    severity: 'P1',
    urgency: 'high',
    number: 1342,
    url: 'https://acme.pagerduty.com/incidents/Q2LKT9Z8E4R7TN',
    observedAt: Date.parse('2026-11-24T14:22:05.112Z'),
  });
});

test('a duplicate PagerDuty delivery is stored once; incident.resolved ends it and a late acknowledgement does not reopen it', async () => {
  assert.equal((await deliver(fixture('pagerduty', 'incident.triggered')).expect(200)).body.updated, 1);
  await deliver(resolved()).expect(200);
  let e = runtime.events.getEvent('pagerduty', 'Q2LKT9Z8E4R7TN')!;
  assert.equal(e.status, 'resolved');
  assert.equal(e.endedAt, Date.parse('2026-11-24T14:58:30Z'));
  const lateAck = edited('pagerduty', 'incident.triggered', (p) => {
    p.event.event_type = 'incident.acknowledged';
    p.event.occurred_at = '2026-11-24T14:25:00.000Z';
    p.event.data.status = 'acknowledged';
  });
  assert.equal((await deliver(lateAck).expect(200)).body.skipped, 1);
  e = runtime.events.getEvent('pagerduty', 'Q2LKT9Z8E4R7TN')!;
  assert.equal(e.status, 'resolved');
  assert.equal(runtime.events.listEvents({ source: 'pagerduty' }).length, 1);
});

test('PagerDuty signatures with several comma-separated v1 values (secret rotation) are accepted when one matches', async () => {
  const body = edited('pagerduty', 'incident.triggered', (p) => (p.event.data.id = 'PROTATE1'));
  await deliver(body, sign(body, NEXT_SECRET, SECRET)).expect(200);
  assert.ok(runtime.events.getEvent('pagerduty', 'PROTATE1'));
});

test('PagerDuty events that do not carry an incident (a note) are ignored with 202; malformed ones are 400', async () => {
  const before = eventCount(runtime);
  assert.match((await deliver(fixture('pagerduty', 'incident.annotated')).expect(202)).body.ignored, /"incident\.annotated" does not carry/);
  const ping = Buffer.from(JSON.stringify({ event: { event_type: 'pagey.ping', occurred_at: '2026-11-24T14:00:00Z', data: { type: 'ping' } } }));
  assert.match((await deliver(ping).expect(202)).body.ignored, /ping/);
  assertProblem(await deliver(edited('pagerduty', 'incident.triggered', (p) => delete p.event.data.service)), 400, 'event.data.service');
  assertProblem(await deliver(Buffer.from('{"messages": []}')), 400, 'event');
  assert.equal(eventCount(runtime), before);
});

test('webhooks need no API token even when reads do: the provider signature is their authentication', async () => {
  const closed = createApp({ ...runtime.apiDeps(), auth: { read: 'token', metrics: 'token' } });
  assertProblem(await request(closed).get('/api/events'), 401);
  const body = edited('pagerduty', 'incident.triggered', (p) => (p.event.data.id = 'PCLOSED1'));
  await request(closed).post('/api/webhooks/pagerduty').set('Content-Type', 'application/json').set('X-PagerDuty-Signature', sign(body, SECRET)).send(body.toString('utf8')).expect(200);
  assert.ok(runtime.events.getEvent('pagerduty', 'PCLOSED1'));
});

test('a PagerDuty delivery over the 5 MB limit is refused with 413 before it is read whole', async () => {
  const huge = Buffer.from(JSON.stringify({ event: { event_type: 'incident.triggered', padding: 'x'.repeat(5 * 1024 * 1024) } }));
  assertProblem(await deliver(huge), 413);
});
