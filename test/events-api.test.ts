import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from './support/api-request.js';
import { assertProblem, eventCount, eventsApp, NOW } from './fixtures/events-helpers.js';

const { runtime, app, write, read } = eventsApp();
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const deploy = (id: string, extra: Record<string, unknown> = {}) => ({
  kind: 'deployment',
  id,
  service: 'shop',
  environment: 'production',
  start: iso(NOW - 2 * HOUR),
  ...extra,
});

test('POST /api/events stores one event and answers with it as stored', async () => {
  const res = await request(app)
    .post('/api/events')
    .set(auth(write))
    .send(
      deploy('build-1', {
        end: (NOW - 2 * HOUR) / 1000 + 300,
        status: 'success',
        title: 'shop 1.4.0',
        links: { commits: [{ sha: 'ABCDEF1234567', at: iso(NOW - 5 * HOUR) }], url: 'https://ci.example.com/b/1' },
        attributes: { trigger: 'pipeline', linesChanged: 120, team: 'web' },
      }),
    )
    .expect(200);
  assert.deepEqual({ ...res.body, event: undefined }, { received: 1, inserted: 1, updated: 0, skipped: 0, event: undefined });
  assert.deepEqual(res.body.event, {
    source: 'api',
    id: 'build-1',
    kind: 'deployment',
    service: 'shop',
    environment: 'production',
    start: iso(NOW - 2 * HOUR),
    end: iso(NOW - 2 * HOUR + 300_000),
    status: 'success',
    title: 'shop 1.4.0',
    links: { commits: [{ sha: 'abcdef1234567', at: iso(NOW - 5 * HOUR) }], url: 'https://ci.example.com/b/1' },
    attributes: { trigger: 'pipeline', linesChanged: 120, team: 'web' },
    receivedAt: iso(NOW),
    updatedAt: iso(NOW),
  });
  // Stored in the attrs conventions DORA reads (ms, lowercase SHAs).
  const stored = runtime.events.getEvent('api', 'build-1')!;
  assert.deepEqual(stored.attrs!.commits, [{ sha: 'abcdef1234567', at: NOW - 5 * HOUR }]);
});

test('POST /api/events delivered twice stores the event once, and a later delivery updates it', async () => {
  const before = eventCount(runtime);
  await request(app).post('/api/events').set(auth(write)).send(deploy('build-2', { status: 'in_progress' })).expect(200);
  const again = await request(app).post('/api/events').set(auth(write)).send(deploy('build-2', { status: 'in_progress' })).expect(200);
  assert.equal(again.body.updated, 1);
  const done = await request(app)
    .post('/api/events')
    .set(auth(write))
    .send(deploy('build-2', { status: 'success', end: iso(NOW - HOUR) }))
    .expect(200);
  assert.equal(done.body.event.status, 'success');
  assert.equal(done.body.event.end, iso(NOW - HOUR));
  assert.equal(eventCount(runtime), before + 1);
});

test('POST /api/events stores a batch of events in one request', async () => {
  const events = Array.from({ length: 50 }, (_, i) => deploy(`batch-${i}`, { source: 'jenkins' }));
  const res = await request(app).post('/api/events').set(auth(write)).send({ events }).expect(200);
  assert.deepEqual(res.body, { received: 50, inserted: 50, updated: 0, skipped: 0 });
  assert.equal(runtime.events.listEvents({ source: 'jenkins' }).length, 50);
});

test('POST /api/events rejects a batch with one bad item whole, naming the item by index', async () => {
  const before = eventCount(runtime);
  const events = [deploy('ok-0'), deploy('ok-1'), deploy('ok-2'), deploy('bad-3', { kind: 'deploy' }), deploy('ok-4')];
  const res = await request(app).post('/api/events').set(auth(write)).send({ events });
  assertProblem(res, 400, 'events[3].kind');
  assert.equal(res.body.type, '/problems/invalid-event');
  assert.match(res.body.detail, /^events\[3\]\.kind: unknown kind "deploy"; expected one of deployment, change, incident/);
  assert.equal(eventCount(runtime), before, 'nothing of the batch was stored');
});

test('POST /api/events refuses an end before its start, naming the field', async () => {
  const res = await request(app)
    .post('/api/events')
    .set(auth(write))
    .send({ events: [deploy('x'), deploy('y', { end: iso(NOW - 3 * HOUR) })] });
  assertProblem(res, 400, 'events[1].end');
  assert.match(res.body.errors[0].message, /is before start/);
});

test('POST /api/events refuses absurd dates: before 2000, more than a day ahead, milliseconds for seconds', async () => {
  const cases: Array<[unknown, RegExp]> = [
    ['1999-12-31T23:59:59Z', /before 2000-01-01/],
    [iso(NOW + 25 * HOUR), /more than a day in the future/],
    [NOW, /more than a day in the future \(Unix time is in seconds, not milliseconds\)/],
    ['2026-11-26T09:00:00', /neither RFC 3339 with an offset/],
    ['last tuesday', /neither RFC 3339/],
  ];
  for (const [start, why] of cases) {
    const res = await request(app).post('/api/events').set(auth(write)).send(deploy('absurd', { start }));
    assertProblem(res, 400, 'start');
    assert.match(res.body.errors[0].message, why, String(start));
  }
  assert.equal(runtime.events.getEvent('api', 'absurd'), undefined);
  // Within a day ahead is fine (a game day scheduled for tomorrow morning).
  await request(app).post('/api/events').set(auth(write)).send({ kind: 'gameday', id: 'gd-1', start: (NOW + 20 * HOUR) / 1000 }).expect(200);
});

test('POST /api/events names a missing field, an unknown field and a malformed SHA', async () => {
  let res = await request(app).post('/api/events').set(auth(write)).send({ kind: 'incident', start: iso(NOW) });
  assertProblem(res, 400, 'id');
  res = await request(app).post('/api/events').set(auth(write)).send(deploy('z', { started: iso(NOW) }));
  assertProblem(res, 400, 'started');
  res = await request(app).post('/api/events').set(auth(write)).send(deploy('z', { links: { commits: [{ sha: 'not-a-sha' }] } }));
  assertProblem(res, 400, 'links.commits[0].sha');
  res = await request(app).post('/api/events').set(auth(write)).send(deploy('z', { attributes: { commits: ['abc'] } }));
  assertProblem(res, 400, 'attributes.commits');
  res = await request(app).post('/api/events').set(auth(write)).send([deploy('z')]);
  assertProblem(res, 400, 'body');
  res = await request(app).post('/api/events').set(auth(write)).send({ events: [] });
  assertProblem(res, 400, 'events');
  res = await request(app).post('/api/events').set(auth(write)).set('Content-Type', 'text/plain').send('kind=deployment');
  assertProblem(res, 415, 'Content-Type');
  res = await request(app).post('/api/events').set(auth(write)).set('Content-Type', 'application/json').send('{"kind":');
  assertProblem(res, 400, 'body');
});

test('POST /api/events refuses a batch larger than 1000 events', async () => {
  const events = Array.from({ length: 1001 }, (_, i) => ({ kind: 'change', id: `c${i}`, start: 1764100000 }));
  const res = await request(app).post('/api/events').set(auth(write)).send({ events });
  assertProblem(res, 400, 'events');
  assert.match(res.body.detail, /at most 1000/);
});

test('POST /api/events needs a write token: none is 401, a read token is 403', async () => {
  assertProblem(await request(app).post('/api/events').send(deploy('anon')), 401);
  assertProblem(await request(app).post('/api/events').set(auth(read)).send(deploy('reader')), 403);
  assert.equal(runtime.events.getEvent('api', 'anon'), undefined);
});

test('GET /api/events filters by kind, service and time, newest first, and says when it truncated', async () => {
  const events = [
    { kind: 'incident', id: 'inc-1', service: 'pay', start: iso(NOW - 10 * HOUR), end: iso(NOW - 9 * HOUR), links: { deployment: 'build-9' } },
    { kind: 'deployment', id: 'dep-a', service: 'pay', start: iso(NOW - 12 * HOUR) },
    { kind: 'deployment', id: 'dep-b', service: 'pay', start: iso(NOW - 11 * HOUR) },
  ];
  await request(app).post('/api/events').set(auth(write)).send({ events }).expect(200);
  let res = await request(app).get('/api/events').query({ kind: 'deployment,incident', service: 'pay' }).expect(200);
  assert.deepEqual(res.body.events.map((e: { id: string }) => e.id), ['inc-1', 'dep-b', 'dep-a']);
  assert.equal(res.body.truncated, false);
  assert.deepEqual(res.body.events[0].links, { deployment: 'build-9' });
  res = await request(app).get('/api/events').query({ service: 'pay', order: 'asc', limit: '2' }).expect(200);
  assert.deepEqual(res.body.events.map((e: { id: string }) => e.id), ['dep-a', 'dep-b']);
  assert.equal(res.body.truncated, true);
  res = await request(app)
    .get('/api/events')
    .query({ service: 'pay', from: iso(NOW - 11.5 * HOUR), to: String((NOW - 10 * HOUR) / 1000) })
    .expect(200);
  assert.deepEqual(res.body.events.map((e: { id: string }) => e.id), ['inc-1', 'dep-b']);
  assertProblem(await request(app).get('/api/events').query({ kind: 'deploys' }), 400, 'kind');
  assertProblem(await request(app).get('/api/events').query({ limit: '0' }), 400, 'limit');
  assertProblem(await request(app).get('/api/events').query({ from: 'yesterday' }), 400, 'from');
});

test('GET /api/annotations returns deployments and incidents in range as chart markers, with open incidents that began earlier', async () => {
  await request(app)
    .post('/api/events')
    .set(auth(write))
    .send({
      events: [
        { kind: 'incident', id: 'ann-open', service: 'cart', start: iso(NOW - 30 * HOUR), title: 'Cart slow', links: { url: 'https://pd.example.com/i/1' } },
        { kind: 'incident', id: 'ann-old', service: 'cart', start: iso(NOW - 30 * HOUR), end: iso(NOW - 29 * HOUR) },
        { kind: 'deployment', id: 'ann-dep', service: 'cart', environment: 'production', start: iso(NOW - 3 * HOUR), end: iso(NOW - 3 * HOUR + 60_000), status: 'success' },
        { kind: 'gameday', id: 'ann-gd', service: 'cart', start: iso(NOW - 2 * HOUR) },
      ],
    })
    .expect(200);
  const res = await request(app).get('/api/annotations').query({ service: 'cart' }).expect(200);
  assert.deepEqual(res.body, [
    {
      time: iso(NOW - 30 * HOUR),
      kind: 'incident',
      title: 'Cart slow',
      service: 'cart',
      link: 'https://pd.example.com/i/1',
      status: null,
      environment: null,
      source: 'api',
      id: 'ann-open',
    },
    {
      time: iso(NOW - 3 * HOUR),
      timeEnd: iso(NOW - 3 * HOUR + 60_000),
      kind: 'deployment',
      title: 'Deployment: cart (production)',
      service: 'cart',
      link: null,
      status: 'success',
      environment: 'production',
      source: 'api',
      id: 'ann-dep',
    },
  ]);
  const gamedays = await request(app).get('/api/annotations').query({ service: 'cart', kind: 'gameday', from: 'now-6h' }).expect(200);
  assert.deepEqual(gamedays.body.map((a: { id: string }) => a.id), ['ann-gd']);
});
