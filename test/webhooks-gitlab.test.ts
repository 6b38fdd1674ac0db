import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from './support/api-request.js';
import { assertProblem, edited, eventCount, eventsApp, fixture } from './fixtures/events-helpers.js';

const TOKEN = 'gl-hook-7f3a9c';
const { runtime, app } = eventsApp(
  ['operations:', '  webhooks:', '    gitlab: { token: "${GITLAB_WEBHOOK_TOKEN}", deploy_pipelines: ["^release$"], deploy_environment: prod }'].join('\n'),
  { GITLAB_WEBHOOK_TOKEN: TOKEN },
);

const HOOK: Record<string, string> = { deployment: 'Deployment Hook', push: 'Push Hook', issue: 'Issue Hook', pipeline: 'Pipeline Hook' };

function deliver(name: string, body: Buffer, token: string | null = TOKEN) {
  const req = request(app).post('/api/webhooks/gitlab').set('X-Gitlab-Event', HOOK[name] ?? 'System Hook').set('Content-Type', 'application/json');
  if (token !== null) req.set('X-Gitlab-Token', token);
  return req.send(body.toString('utf8'));
}

test('GitLab deliveries without the token, or with another token, are refused with 401 and store nothing', async () => {
  for (const [token, why] of [
    [null, /X-Gitlab-Token header is missing/],
    ['gl-hook-7f3a9d', /does not match/],
    [TOKEN.slice(0, -1), /does not match/],
  ] as const) {
    const res = await deliver('deployment', fixture('gitlab', 'deployment'), token);
    assertProblem(res, 401, 'X-Gitlab-Token');
    assert.match(res.body.detail, why);
  }
  assert.equal(eventCount(runtime), 0);
});

test('GitLab Deployment Hook becomes a deployment: full SHA from commit_url, service from the project path, GitLab time format', async () => {
  await deliver('push', fixture('gitlab', 'push')).expect(200);
  const running = edited('gitlab', 'deployment', (p) => {
    p.status = 'running';
    p.status_changed_at = '2026-11-24 15:03:10 +0100';
  });
  await deliver('deployment', running).expect(200);
  let e = runtime.events.getEvent('gitlab', 'deployment:9115')!;
  assert.equal(e.status, 'in_progress');
  assert.equal(e.startedAt, Date.parse('2026-11-24T14:03:10Z'));
  assert.equal(e.endedAt, undefined);
  await deliver('deployment', fixture('gitlab', 'deployment')).expect(200);
  e = runtime.events.getEvent('gitlab', 'deployment:9115')!;
  assert.equal(e.kind, 'deployment');
  assert.equal(e.service, 'payments');
  assert.equal(e.environment, 'production');
  assert.equal(e.status, 'success');
  assert.equal(e.startedAt, Date.parse('2026-11-24T14:03:10Z'), 'the start of the running delivery is kept');
  assert.equal(e.endedAt, Date.parse('2026-11-24T14:07:41Z'));
  assert.equal(e.title, 'Deploy 279484c0 to production: Retry declined card authorisations once');
  assert.deepEqual(e.attrs!.commits, [{ sha: '279484c09fbe69ededfced8c1bb6e6d24616b468', at: Date.parse('2026-11-24T10:02:10Z') }]);
  assert.equal(e.attrs!.url, 'https://gitlab.example.com/acme/payments/-/jobs/796');
  // The same delivery again: stored once.
  assert.equal((await deliver('deployment', fixture('gitlab', 'deployment')).expect(200)).body.updated, 1);
  assert.equal(runtime.events.listEvents({ source: 'gitlab', kind: 'deployment' }).length, 1);
});

test('GitLab Push Hook to the default branch records one change per commit; other branches are ignored', async () => {
  const res = await deliver('push', fixture('gitlab', 'push')).expect(200);
  assert.deepEqual(res.body.events, [{ kind: 'change', source: 'gitlab', id: 'commit:279484c09fbe69ededfced8c1bb6e6d24616b468' }]);
  const c = runtime.events.getEvent('gitlab', 'commit:279484c09fbe69ededfced8c1bb6e6d24616b468')!;
  assert.equal(c.title, 'Retry declined card authorisations once');
  assert.equal(c.service, 'payments');
  const branch = edited('gitlab', 'push', (p) => (p.ref = 'refs/heads/spike'));
  assert.match((await deliver('push', branch).expect(202)).body.ignored, /not the default branch "main"/);
});

test('GitLab incidents (work item type Incident, or an incident label) are stored and resolved when closed', async () => {
  await deliver('issue', fixture('gitlab', 'issue')).expect(200);
  let e = runtime.events.getEvent('gitlab', 'issue:acme/payments#23')!;
  assert.equal(e.kind, 'incident');
  assert.equal(e.status, 'open');
  assert.equal(e.startedAt, Date.parse('2026-11-24T14:30:00Z'));
  assert.equal(e.attrs!.severity, 'high');
  const closed = edited('gitlab', 'issue', (p) => {
    p.object_attributes.state = 'closed';
    p.object_attributes.action = 'close';
    p.object_attributes.closed_at = '2026-11-24 15:10:00 UTC';
    p.object_attributes.updated_at = '2026-11-24 15:10:00 UTC';
  });
  await deliver('issue', closed).expect(200);
  e = runtime.events.getEvent('gitlab', 'issue:acme/payments#23')!;
  assert.equal(e.status, 'resolved');
  assert.equal(e.endedAt, Date.parse('2026-11-24T15:10:00Z'));
  const labelled = edited('gitlab', 'issue', (p) => {
    p.object_kind = 'issue';
    p.object_attributes.type = 'Issue';
    p.object_attributes.iid = 24;
    p.labels = [{ id: 1, title: 'Incident' }];
  });
  await deliver('issue', labelled).expect(200);
  assert.ok(runtime.events.getEvent('gitlab', 'issue:acme/payments#24'));
  const plain = edited('gitlab', 'issue', (p) => {
    p.object_kind = 'issue';
    p.object_attributes.type = 'Issue';
    p.object_attributes.iid = 25;
  });
  assert.match((await deliver('issue', plain).expect(202)).body.ignored, /neither an incident nor labelled/);
});

test('GitLab Pipeline Hook of a configured deploy pipeline on the default branch is a deployment; others are ignored', async () => {
  await deliver('pipeline', edited('gitlab', 'pipeline', (p) => (p.object_attributes.name = 'release'))).expect(200);
  const e = runtime.events.getEvent('gitlab', 'pipeline:31')!;
  assert.equal(e.environment, 'prod');
  assert.equal(e.status, 'success');
  assert.equal(e.startedAt, Date.parse('2026-11-24T14:03:28Z'));
  assert.equal(e.endedAt, Date.parse('2026-11-24T14:09:29Z'));
  const tests = edited('gitlab', 'pipeline', (p) => (p.object_attributes.name = 'Nightly tests'));
  assert.match((await deliver('pipeline', tests).expect(202)).body.ignored, /"Nightly tests" matches none of deploy_pipelines/);
  const running = edited('gitlab', 'pipeline', (p) => {
    p.object_attributes.name = 'release';
    p.object_attributes.status = 'running';
    p.object_attributes.finished_at = null;
  });
  assert.match((await deliver('pipeline', running).expect(202)).body.ignored, /only finished pipelines/);
});

test('malformed GitLab payloads are refused with 400 naming the field; unknown kinds are ignored with 202', async () => {
  assertProblem(await deliver('deployment', Buffer.from('not json')), 400, 'body');
  assertProblem(await deliver('deployment', edited('gitlab', 'deployment', (p) => (p.status_changed_at = '2026-11-24 15:07:41'))), 400, 'status_changed_at');
  assertProblem(await deliver('deployment', edited('gitlab', 'deployment', (p) => delete p.object_kind)), 400, 'object_kind');
  const note = await deliver('note', Buffer.from('{"object_kind":"note"}')).expect(202);
  assert.match(note.body.ignored, /"note" is not recorded/);
});
