import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from './support/api-request.js';
import { assertProblem, eventCount, eventsApp, NOW } from './fixtures/events-helpers.js';

/**
 * Issue 12, finding 7: a full disk answered writes with 500 `internal` while /readyz said the
 * database was ok. The disk is filled for real, as SQLite sees it: `PRAGMA max_page_count` at
 * the current size makes every write that needs a new page fail with SQLITE_FULL.
 */
const { runtime, app, write } = eventsApp();

const batch = (tag: string) => ({
  events: Array.from({ length: 200 }, (_, i) => ({
    kind: 'change',
    id: `${tag}-${i}`,
    start: new Date(NOW - i * 1000).toISOString(),
    title: `change ${i} ${'x'.repeat(400)}`,
  })),
});

test('with the disk full, writes answer 503 with Retry-After and /readyz is not ready until a write succeeds again', async () => {
  await request(app).get('/readyz').expect(200);
  const db = runtime.store.db;
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
  const before = eventCount(runtime);

  const full = await request(app).post('/api/events').set('authorization', `Bearer ${write}`).send(batch('full'));
  assertProblem(full, 503);
  assert.equal(full.body.type, '/problems/storage-unavailable');
  assert.match(full.body.detail, /disk holding the database is full; nothing was stored/);
  assert.equal(full.headers['retry-after'], '30');
  assert.equal(eventCount(runtime), before, 'nothing of the batch was stored');

  const ready = await request(app).get('/readyz');
  assertProblem(ready, 503);
  assert.match(ready.body.detail, /database: failed: writes failing since .*SQLITE_FULL/);
  // Reads still answer meanwhile.
  await request(app).get('/api/events').expect(200);

  // Space is freed: the next write succeeds and readiness comes back.
  db.pragma('max_page_count = 1073741823');
  await request(app).get('/readyz').expect(503, /SQLITE_FULL/);
  const ok = await request(app).post('/api/events').set('authorization', `Bearer ${write}`).send(batch('after'));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  await request(app).get('/readyz').expect(200);
});

test('a collector run that cannot be stored for a full disk marks the database not ready, and a stored run clears it', async () => {
  const db = runtime.store.db;
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const samples = Array.from({ length: 5000 }, (_, i) => ({ name: 'filler', labels: { i: String(i) }, ts: NOW, value: i }));
  assert.throws(() => runtime.store.writeSamples(samples), { code: 'SQLITE_FULL' });
  assertProblem(await request(app).get('/readyz'), 503);
  db.pragma('max_page_count = 1073741823');
  runtime.store.writeSamples(samples.slice(0, 10));
  await request(app).get('/readyz').expect(200);
});
