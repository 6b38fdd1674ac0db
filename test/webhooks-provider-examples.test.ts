import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from './support/api-request.js';
import { eventsApp, hmacHex } from './fixtures/events-helpers.js';

/**
 * Every example payload GitHub (octokit/webhooks), GitLab ("Webhook events") and PagerDuty
 * ("Webhooks v3 Overview") publish for the events docs/events.md mentions, delivered as the
 * provider would send it: each is recorded (200) or ignored (202), never refused. Sources:
 * test/fixtures/webhooks/examples/README.md.
 */

const EXAMPLES = path.join(__dirname, 'fixtures', 'webhooks', 'examples');
const GH_SECRET = 'gh-examples-secret';
const GL_TOKEN = 'gl-examples-token';
const PD_SECRET = 'pd-examples-secret';

// Labels and names chosen so the examples that can map do map: octokit's issues carry "bug",
// GitLab's issue "API"; every workflow and pipeline counts as a deploy.
const { runtime, app } = eventsApp(
  [
    'operations:',
    '  incident_labels: [bug, API]',
    '  webhooks:',
    '    github: { secret: "${GH}", deploy_workflows: [".*"] }',
    '    gitlab: { token: "${GL}", deploy_pipelines: [".*"] }',
    '    pagerduty: { secret: "${PD}" }',
  ].join('\n'),
  { GH: GH_SECRET, GL: GL_TOKEN, PD: PD_SECRET },
);

const files = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();

function github(event: string, body: Buffer) {
  return request(app)
    .post('/api/webhooks/github')
    .set('X-GitHub-Event', event)
    .set('X-Hub-Signature-256', `sha256=${hmacHex(GH_SECRET, body)}`)
    .set('Content-Type', 'application/json')
    .send(body.toString('utf8'));
}

/** X-Gitlab-Event for each example, as the page lists it. */
const GITLAB_HOOK: Record<string, string> = {
  push: 'Push Hook',
  tag_push: 'Tag Push Hook',
  issue: 'Issue Hook',
  'work_item.group-epic': 'Issue Hook',
  pipeline: 'Pipeline Hook',
  build: 'Job Hook',
  deployment: 'Deployment Hook',
  member: 'Member Hook',
  project_create: 'Project Hook',
  subgroup_create: 'Subgroup Hook',
  feature_flag: 'Feature Flag Hook',
  'access_token.group': 'Resource Access Token Hook',
};

function gitlab(name: string, body: Buffer) {
  const hook = GITLAB_HOOK[name];
  assert.ok(hook, `no X-Gitlab-Event known for the example ${name}`);
  return request(app).post('/api/webhooks/gitlab').set('X-Gitlab-Event', hook).set('X-Gitlab-Token', GL_TOKEN).set('Content-Type', 'application/json').send(body.toString('utf8'));
}

function pagerduty(body: Buffer) {
  return request(app).post('/api/webhooks/pagerduty').set('X-PagerDuty-Signature', `v1=${hmacHex(PD_SECRET, body)}`).set('Content-Type', 'application/json').send(body.toString('utf8'));
}

const accepted = (res: request.Response, what: string) => assert.ok(res.status === 200 || res.status === 202, `${what}: ${res.status} ${JSON.stringify(res.body)}`);

test('every GitHub example payload of octokit/webhooks for the documented events is recorded or ignored, never refused', async () => {
  const outcomes = new Map<string, number>();
  for (const file of files(path.join(EXAMPLES, 'github'))) {
    const event = path.basename(path.dirname(file));
    const res = await github(event, fs.readFileSync(file));
    accepted(res, path.relative(EXAMPLES, file));
    outcomes.set(path.relative(EXAMPLES, file), res.status);
  }
  // The mapped ones are mapped: the examples are not all ignored for some blanket reason.
  assert.equal(outcomes.get('github/deployment_status/payload.json'), 200);
  assert.equal(outcomes.get('github/push/payload.json'), 202, 'octokit push example is to refs/tags/simple-tag: ignored');
  assert.equal(outcomes.get('github/issues/opened.payload.json'), 200);
  assert.equal(outcomes.get('github/workflow_run/completed.payload.json'), 200);
  assert.equal(outcomes.get('github/issues/pinned.payload.json'), 202);
  assert.equal(outcomes.get('github/issues/unpinned.payload.json'), 202);
});

test('GitHub pinned and unpinned issue deliveries, which carry no state, are ignored even on an incident issue', async () => {
  for (const action of ['pinned', 'unpinned']) {
    const p = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'github', 'issues', `${action}.payload.json`), 'utf8'));
    assert.equal(p.issue.state, undefined, 'the published example has no state');
    p.issue.labels = [{ name: 'bug' }];
    const res = await github('issues', Buffer.from(JSON.stringify(p)));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.match(res.body.ignored, new RegExp(`issue ${action}`));
  }
});

test('a GitHub issue delivery Pillarboard uses but cannot read is still refused with 400 naming the field', async () => {
  const p = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'github', 'issues', 'opened.payload.json'), 'utf8'));
  delete p.issue.state;
  const res = await github('issues', Buffer.from(JSON.stringify(p)));
  assert.equal(res.status, 400);
  assert.ok(res.body.errors.some((e: { name: string }) => e.name === 'issue.state'), JSON.stringify(res.body));
});

test('every GitLab "Webhook events" example payload is recorded or ignored, never refused; a group-level epic is ignored', async () => {
  const outcomes = new Map<string, { status: number; body: any }>();
  for (const file of files(path.join(EXAMPLES, 'gitlab'))) {
    const name = path.basename(file, '.json');
    const res = await gitlab(name, fs.readFileSync(file));
    accepted(res, name);
    outcomes.set(name, { status: res.status, body: res.body });
  }
  assert.equal(outcomes.get('push')?.status, 200);
  assert.equal(outcomes.get('issue')?.status, 200, 'labelled API, an incident label here');
  assert.equal(outcomes.get('deployment')?.status, 200);
  assert.equal(outcomes.get('pipeline')?.status, 200);
  assert.equal(outcomes.get('work_item.group-epic')?.status, 202);
  assert.match(outcomes.get('work_item.group-epic')!.body.ignored, /group-level work item/);
  for (const name of ['member', 'project_create', 'subgroup_create']) {
    assert.equal(outcomes.get(name)?.status, 202, name);
  }
});

test('a GitLab payload without object_kind is refused only when its hook is one Pillarboard reads', async () => {
  const body = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'gitlab', 'deployment.json'), 'utf8'));
  delete body.object_kind;
  const res = await gitlab('deployment', Buffer.from(JSON.stringify(body)));
  assert.equal(res.status, 400);
  assert.ok(res.body.errors.some((e: { name: string }) => e.name === 'object_kind'));
});

/** The page's "Event Types" table: event type → the data type it carries. */
const PAGERDUTY_EVENT_TYPES: Record<string, string> = {
  'incident.acknowledged': 'incident',
  'incident.annotated': 'incident_note',
  'incident.conference_bridge.updated': 'incident_conference_bridge',
  'incident.custom_field_values.updated': 'incident_field_values',
  'incident.delegated': 'incident',
  'incident.escalated': 'incident',
  'incident.incident_type.changed': 'incident',
  'incident.priority_updated': 'incident',
  'incident.reassigned': 'incident',
  'incident.reopened': 'incident',
  'incident.resolved': 'incident',
  'incident.responder.added': 'incident_responder',
  'incident.responder.replied': 'incident_responder',
  'incident.service_updated': 'incident',
  'incident.status_update_published': 'incident_status_update',
  'incident.triggered': 'incident',
  'incident.unacknowledged': 'incident',
  'incident.workflow.started': 'incident_workflow_instance',
  'incident.workflow.completed': 'incident_workflow_instance',
  'service.created': 'service',
  'service.deleted': 'service',
  'service.updated': 'service',
};

test('PagerDuty v3: both published example payloads and every documented event type are recorded or ignored, never refused', async () => {
  const dir = path.join(EXAMPLES, 'pagerduty');
  assert.equal((await pagerduty(fs.readFileSync(path.join(dir, 'incident.priority_updated.json')))).status, 200);
  assert.equal((await pagerduty(fs.readFileSync(path.join(dir, 'service.updated.json')))).status, 202);
  const envelope = JSON.parse(fs.readFileSync(path.join(dir, 'incident.priority_updated.json'), 'utf8'));
  const dataTypes = JSON.parse(fs.readFileSync(path.join(dir, 'data-types.json'), 'utf8'));
  for (const [eventType, dataType] of Object.entries(PAGERDUTY_EVENT_TYPES)) {
    const data = dataTypes[dataType];
    assert.ok(data, `no documented data example for ${dataType}`);
    const body = { event: { ...envelope.event, event_type: eventType, resource_type: eventType.split('.')[0], data } };
    const res = await pagerduty(Buffer.from(JSON.stringify(body)));
    accepted(res, eventType);
    assert.equal(res.status, dataType === 'incident' ? 200 : 202, `${eventType}: ${JSON.stringify(res.body)}`);
  }
});

test('a delivery that is ignored is 202 even when it lacks fields a recorded one would need', async () => {
  const gh = (dir: string, name: string, edit: (p: any) => void) => {
    const p = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'github', dir, name), 'utf8'));
    edit(p);
    return Buffer.from(JSON.stringify(p));
  };
  const requested = await github('workflow_run', gh('workflow_run', 'requested.payload.json', (p) => delete p.workflow_run.head_sha));
  assert.equal(requested.status, 202, JSON.stringify(requested.body));
  const inactive = await github('deployment_status', gh('deployment_status', 'payload.json', (p) => {
    p.deployment_status.state = 'inactive';
    delete p.deployment.sha;
  }));
  assert.equal(inactive.status, 202, JSON.stringify(inactive.body));

  const deployment = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'gitlab', 'deployment.json'), 'utf8'));
  deployment.status = 'blocked';
  delete deployment.status_changed_at;
  const blocked = await gitlab('deployment', Buffer.from(JSON.stringify(deployment)));
  assert.equal(blocked.status, 202, JSON.stringify(blocked.body));

  const service = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'pagerduty', 'service.updated.json'), 'utf8'));
  delete service.event.occurred_at;
  const pd = await pagerduty(Buffer.from(JSON.stringify(service)));
  assert.equal(pd.status, 202, JSON.stringify(pd.body));
});
