import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from './support/api-request.js';
import { assertProblem, edited, eventCount, eventsApp, fixture, hmacHex } from './fixtures/events-helpers.js';

const SECRET = 'It’s a Secret to Everybody';
const { runtime, app } = eventsApp(
  [
    'operations:',
    '  incident_labels: [incident, outage]',
    '  webhooks:',
    '    github: { secret: "${GITHUB_WEBHOOK_SECRET}", deploy_workflows: ["^deploy"] }',
  ].join('\n'),
  { GITHUB_WEBHOOK_SECRET: SECRET },
);

function deliver(event: string, body: Buffer, signature: string | null = `sha256=${hmacHex(SECRET, body)}`) {
  const req = request(app).post('/api/webhooks/github').set('X-GitHub-Event', event).set('X-GitHub-Delivery', '72d3162e-cc78-11e3-81ab-4c9367dc0958').set('Content-Type', 'application/json');
  if (signature !== null) req.set('X-Hub-Signature-256', signature);
  return req.send(body.toString('utf8')); // a string goes out byte for byte (a Buffer would be re-serialised)
}

test('GitHub signature check matches the example in GitHub\'s documentation', async () => {
  // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!".
  const { checkGithubSignature } = await import('../server/webhooks/verify.js');
  const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
  assert.equal(checkGithubSignature(Buffer.from('Hello, World!'), expected, "It's a Secret to Everybody"), undefined);
  assert.match(checkGithubSignature(Buffer.from('Hello, World?'), expected, "It's a Secret to Everybody")!, /does not match/);
});

test('GitHub deliveries without a signature, or signed with another secret, are refused with 401 and store nothing', async () => {
  const body = fixture('github', 'deployment_status');
  for (const [signature, why] of [
    [null, /X-Hub-Signature-256 header is missing/],
    [`sha256=${hmacHex('wrong secret', body)}`, /does not match/],
    [`sha1=${hmacHex(SECRET, body).slice(0, 40)}`, /not "sha256=/],
    ['sha256=zz', /not "sha256=/],
  ] as const) {
    const res = await deliver('deployment_status', body, signature);
    assertProblem(res, 401, 'X-Hub-Signature-256');
    assert.match(res.body.detail, why);
  }
  // Signed over different bytes than those sent (a re-serialised body): refused too.
  const tampered = Buffer.from(body.toString('utf8').replace('"success"', '"failure"'));
  assertProblem(await deliver('deployment_status', tampered, `sha256=${hmacHex(SECRET, body)}`), 401);
  assert.equal(eventCount(runtime), 0);
});

test('GitHub deployment_status becomes a deployment with state, environment, commit and service', async () => {
  // The push came first: the deployment's commit gets its commit time from the stored change.
  await deliver('push', fixture('github', 'push')).expect(200);
  const res = await deliver('deployment_status', fixture('github', 'deployment_status')).expect(200);
  assert.deepEqual(res.body, { inserted: 1, updated: 0, skipped: 0, events: [{ kind: 'deployment', source: 'github', id: 'deployment:1384402531' }] });
  const e = runtime.events.getEvent('github', 'deployment:1384402531')!;
  assert.equal(e.kind, 'deployment');
  assert.equal(e.service, 'shop');
  assert.equal(e.environment, 'production');
  assert.equal(e.status, 'success');
  assert.equal(e.startedAt, Date.parse('2026-11-24T14:03:12Z'));
  assert.equal(e.endedAt, Date.parse('2026-11-24T14:07:41Z'));
  assert.deepEqual(e.attrs, {
    commits: [{ sha: '9f2c3e1a7b5d4c6e8f0a1b2c3d4e5f60718293a4', at: Date.parse('2026-11-24T13:58:01Z') }],
    trigger: 'pipeline',
    ref: 'main',
    repo: 'acme/shop',
    url: 'https://github.com/acme/shop/actions/runs/11861930501/job/33058875220',
    observedAt: Date.parse('2026-11-24T14:07:41Z'),
  });
});

test('the same GitHub delivery twice is stored once, and a later status updates the deployment', async () => {
  const inProgress = edited('github', 'deployment_status', (p) => {
    p.deployment.id = 77;
    p.deployment_status.state = 'in_progress';
    p.deployment_status.created_at = p.deployment_status.updated_at = '2026-11-24T14:04:00Z';
  });
  await deliver('deployment_status', inProgress).expect(200);
  const again = await deliver('deployment_status', inProgress).expect(200);
  assert.equal(again.body.updated, 1);
  let e = runtime.events.getEvent('github', 'deployment:77')!;
  assert.equal(e.status, 'in_progress');
  assert.equal(e.endedAt, undefined);
  const failed = edited('github', 'deployment_status', (p) => {
    p.deployment.id = 77;
    p.deployment_status.state = 'error';
    p.deployment_status.created_at = p.deployment_status.updated_at = '2026-11-24T14:09:00Z';
  });
  await deliver('deployment_status', failed).expect(200);
  // The in_progress delivery again, late: older than what is stored, so it is skipped.
  const late = await deliver('deployment_status', inProgress).expect(200);
  assert.equal(late.body.skipped, 1);
  e = runtime.events.getEvent('github', 'deployment:77')!;
  assert.equal(e.status, 'failure');
  assert.equal(e.attrs!.providerState, 'error');
  assert.equal(e.endedAt, Date.parse('2026-11-24T14:09:00Z'));
  assert.equal(runtime.events.listEvents({ source: 'github', kind: 'deployment' }).filter((x) => x.externalId === 'deployment:77').length, 1);
});

test('GitHub push to the default branch records one change per commit with its time', async () => {
  const res = await deliver('push', fixture('github', 'push')).expect(200);
  assert.equal(res.body.events.length, 2);
  const c = runtime.events.getEvent('github', 'commit:4b8d2f6a0c1e3579bdf02468ace13579bdf02468')!;
  assert.equal(c.kind, 'change');
  assert.equal(c.service, 'shop');
  assert.equal(c.startedAt, Date.parse('2026-11-24T09:15:09Z'));
  assert.equal(c.title, 'Cache product images');
  assert.deepEqual(c.attrs!.commits, [{ sha: '4b8d2f6a0c1e3579bdf02468ace13579bdf02468', at: Date.parse('2026-11-24T09:15:09Z') }]);
  const other = edited('github', 'push', (p) => (p.ref = 'refs/heads/feature/x'));
  assert.match((await deliver('push', other).expect(202)).body.ignored, /not the default branch "main"/);
});

test('GitHub issues with an incident label become incidents, ended when closed', async () => {
  await deliver('issues', fixture('github', 'issues')).expect(200);
  let e = runtime.events.getEvent('github', 'issue:acme/shop#418')!;
  assert.equal(e.kind, 'incident');
  assert.equal(e.status, 'open');
  assert.equal(e.startedAt, Date.parse('2026-11-24T14:20:00Z'));
  assert.equal(e.endedAt, undefined);
  assert.equal(e.attrs!.severity, '2');
  assert.equal(e.attrs!.url, 'https://github.com/acme/shop/issues/418');
  const closed = edited('github', 'issues', (p) => {
    p.action = 'closed';
    p.issue.state = 'closed';
    p.issue.closed_at = p.issue.updated_at = '2026-11-24T15:05:00Z';
  });
  await deliver('issues', closed).expect(200);
  e = runtime.events.getEvent('github', 'issue:acme/shop#418')!;
  assert.equal(e.status, 'resolved');
  assert.equal(e.endedAt, Date.parse('2026-11-24T15:05:00Z'));
  const plain = edited('github', 'issues', (p) => {
    p.issue.number = 500;
    p.issue.labels = [{ name: 'bug' }];
  });
  assert.match((await deliver('issues', plain).expect(202)).body.ignored, /none of the incident labels \(incident, outage\)/);
  assert.equal(runtime.events.getEvent('github', 'issue:acme/shop#500'), undefined);
});

test('GitHub workflow_run of a deploy workflow completed on the default branch is a deployment; others are ignored', async () => {
  await deliver('workflow_run', fixture('github', 'workflow_run')).expect(200);
  const e = runtime.events.getEvent('github', 'workflow_run:11861930501')!;
  assert.equal(e.kind, 'deployment');
  assert.equal(e.environment, 'production');
  assert.equal(e.status, 'success');
  assert.equal(e.title, 'Deploy production #287');
  assert.equal(e.endedAt! - e.startedAt, Date.parse('2026-11-24T14:07:55Z') - Date.parse('2026-11-24T13:58:20Z'));
  const ci = edited('github', 'workflow_run', (p) => (p.workflow_run.name = 'CI'));
  assert.match((await deliver('workflow_run', ci).expect(202)).body.ignored, /matches none of deploy_workflows/);
  const requested = edited('github', 'workflow_run', (p) => (p.action = 'requested'));
  assert.match((await deliver('workflow_run', requested).expect(202)).body.ignored, /only completed runs/);
  const cancelled = edited('github', 'workflow_run', (p) => (p.workflow_run.conclusion = 'cancelled'));
  assert.match((await deliver('workflow_run', cancelled).expect(202)).body.ignored, /neither a success nor a failure/);
});

test('GitHub ping and unrecorded events are accepted with 202 and the reason, storing nothing', async () => {
  const before = eventCount(runtime);
  assert.match((await deliver('ping', fixture('github', 'ping')).expect(202)).body.ignored, /ping/);
  assert.match((await deliver('star', Buffer.from('{"action":"created"}')).expect(202)).body.ignored, /"star" is not recorded/);
  assert.equal(eventCount(runtime), before);
});

test('GitHub form-encoded deliveries (payload=…) are verified on the raw form and read', async () => {
  const json = edited('github', 'deployment_status', (p) => (p.deployment.id = 4242)).toString('utf8');
  const body = Buffer.from(`payload=${encodeURIComponent(json)}`);
  await request(app)
    .post('/api/webhooks/github')
    .set('X-GitHub-Event', 'deployment_status')
    .set('Content-Type', 'application/x-www-form-urlencoded')
    .set('X-Hub-Signature-256', `sha256=${hmacHex(SECRET, body)}`)
    .send(body.toString('utf8'))
    .expect(200);
  assert.ok(runtime.events.getEvent('github', 'deployment:4242'));
});

test('malformed GitHub payloads are refused with 400 naming the reason', async () => {
  const broken = Buffer.from('{"deployment": ');
  let res = await deliver('deployment_status', broken);
  assertProblem(res, 400, 'body');
  assert.equal(res.body.type, '/problems/malformed-body');
  const noId = edited('github', 'deployment_status', (p) => delete p.deployment.id);
  res = await deliver('deployment_status', noId);
  assertProblem(res, 400, 'deployment.id');
  assert.equal(res.body.type, '/problems/invalid-payload');
  const badTime = edited('github', 'issues', (p) => (p.issue.created_at = 'yesterday'));
  assertProblem(await deliver('issues', badTime), 400, 'issue.created_at');
  const noEvent = fixture('github', 'push');
  res = await request(app).post('/api/webhooks/github').set('Content-Type', 'application/json').set('X-Hub-Signature-256', `sha256=${hmacHex(SECRET, noEvent)}`).send(noEvent.toString('utf8'));
  assertProblem(res, 400, 'X-GitHub-Event');
});

test('an unconfigured provider answers 404 not configured, and no read token is needed for webhooks', async () => {
  const res = await request(app).post('/api/webhooks/pagerduty').set('Content-Type', 'application/json').send('{}');
  assertProblem(res, 404);
  assert.equal(res.body.type, '/problems/webhook-not-configured');
  assert.match(res.body.detail, /operations\.webhooks\.pagerduty/);
});
