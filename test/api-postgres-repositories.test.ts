/**
 * The API over the PostgreSQL repositories (issue 14): the same app, its events and tokens
 * given by PgEventStore and PgTokenStore on a real server instead of the SQLite adapters. The
 * routes, the auth middleware and the webhooks do not know which backend answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../server/api/app.js';
import { PgTokenStore } from '../server/auth/pgTokens.js';
import { PgEventStore } from '../server/events/pgStore.js';
import { openPgStore, type PgMetricStore } from '../server/store/pg/store.js';
import request from './support/api-request.js';
import { edited, eventsApp, fixture, hmacHex, NOW } from './fixtures/events-helpers.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';

const SECRET = 'pd-secret-pg-5e1a';

describe('the API with events and tokens in PostgreSQL', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  let store: PgMetricStore;
  let app: ReturnType<typeof createApp>;
  let events: PgEventStore;
  let tokens: PgTokenStore;
  let write: string;
  let read: string;
  const { runtime } = eventsApp(['operations:', '  webhooks:', '    pagerduty: { secret: "${PAGERDUTY_WEBHOOK_SECRET}" }'].join('\n'), {
    PAGERDUTY_WEBHOOK_SECRET: SECRET,
  });

  before(async () => {
    server = await startPostgres();
    store = await openPgStore({ url: await server.createDatabase(), maxConnections: 4, now: () => NOW });
    events = new PgEventStore(store.pool, () => NOW);
    tokens = new PgTokenStore(store.pool, () => NOW);
    write = (await tokens.create('ci', 'write')).token;
    read = (await tokens.create('reader', 'read')).token;
    app = createApp({ ...runtime.apiDeps(), events, tokens, auth: { read: 'token', metrics: 'public' } });
  });
  after(async () => {
    await store?.close();
    await server?.stop();
  });

  test('an event posted with a PostgreSQL token is stored in PostgreSQL and listed back, and not in SQLite', async () => {
    const body = { kind: 'deployment', id: 'pg-1', service: 'shop', environment: 'production', start: '2026-11-26T09:00:00Z', status: 'success' };
    const posted = await request(app).post('/api/events').set('Authorization', `Bearer ${write}`).send(body).expect(200);
    assert.deepEqual([posted.body.inserted, posted.body.updated], [1, 0]);
    assert.equal(posted.body.event.id, 'pg-1');
    assert.equal((await events.getEvent('api', 'pg-1'))?.status, 'success');
    assert.equal(runtime.events.getEvent('api', 'pg-1'), undefined);
    const listed = await request(app).get('/api/events?kind=deployment').set('Authorization', `Bearer ${read}`).expect(200);
    assert.deepEqual(listed.body.events.map((e: { id: string }) => e.id), ['pg-1']);
    const again = await request(app).post('/api/events').set('Authorization', `Bearer ${write}`).send(body).expect(200);
    assert.deepEqual([again.body.inserted, again.body.updated], [0, 1]);
  });

  test('tokens are checked against PostgreSQL: a read token cannot write, a revoked one is refused, a SQLite one is unknown', async () => {
    const body = { kind: 'deployment', id: 'pg-2', start: '2026-11-26T09:00:00Z' };
    const forbidden = await request(app).post('/api/events').set('Authorization', `Bearer ${read}`).send(body);
    assert.equal(forbidden.status, 403);
    const { token } = await tokens.create('short-lived', 'write');
    await request(app).post('/api/events').set('Authorization', `Bearer ${token}`).send(body).expect(200);
    await tokens.revoke('short-lived');
    const revoked = await request(app).post('/api/events').set('Authorization', `Bearer ${token}`).send(body);
    assert.equal(revoked.status, 401);
    assert.match(revoked.body.detail, /has been revoked/);
    const sqliteToken = runtime.tokens.create('sqlite only', 'write').token;
    const unknown = await request(app).post('/api/events').set('Authorization', `Bearer ${sqliteToken}`).send(body);
    assert.equal(unknown.status, 401);
    assert.match(unknown.body.detail, /is not known/);
  });

  test('a PagerDuty webhook is stored in PostgreSQL; a later resolve keeps the recorded end the provider looked up there', async () => {
    const deliver = (b: Buffer) =>
      request(app).post('/api/webhooks/pagerduty').set('Content-Type', 'application/json').set('X-PagerDuty-Signature', `v1=${hmacHex(SECRET, b)}`).send(b.toString('utf8'));
    const triggered = fixture('pagerduty', 'incident.triggered');
    assert.equal((await deliver(triggered).expect(200)).body.inserted, 1);
    const id = JSON.parse(triggered.toString('utf8')).event.data.id as string;
    assert.equal((await events.getEvent('pagerduty', id))?.kind, 'incident');
    assert.equal(runtime.events.getEvent('pagerduty', id), undefined);
    // A resolved incident's later event (not the resolve itself) keeps the end looked up in the store.
    const resolved = edited('pagerduty', 'incident.triggered', (p) => {
      p.event.event_type = 'incident.resolved';
      p.event.data.status = 'resolved';
      p.event.occurred_at = '2026-11-26T09:30:00Z';
    });
    await deliver(resolved).expect(200);
    const end = (await events.getEvent('pagerduty', id))!.endedAt;
    assert.equal(end, Date.parse('2026-11-26T09:30:00Z'));
    const later = edited('pagerduty', 'incident.triggered', (p) => {
      p.event.event_type = 'incident.priority_updated';
      p.event.data.status = 'resolved';
      p.event.occurred_at = '2026-11-26T09:45:00Z';
    });
    await deliver(later).expect(200);
    assert.equal((await events.getEvent('pagerduty', id))!.endedAt, end);
  });
});
