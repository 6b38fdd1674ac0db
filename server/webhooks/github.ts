import { z } from 'zod';
import type { OperationalEvent } from '../../collectors/types.js';
import type { OperationsSettings } from '../events/types.js';
import { defined, idText, matchesAny, optionalText, optionalTime, read, severityFromLabels, time } from './payload.js';
import { checkGithubSignature, checkGithubSignatureHeader } from './verify.js';
import { PayloadError, type Headers, type MapContext, type MapResult, type WebhookProvider } from './types.js';
import { pushToChanges } from './push.js';

/**
 * GitHub webhooks (repository or organization; content type application/json or form):
 * `deployment_status` → deployment, `push` to the default branch → one change per commit,
 * `issues` carrying an incident label → incident, `workflow_run` of a configured deploy
 * workflow, completed on the default branch → deployment. Everything else: 202 ignored.
 * Mapping tables: docs/events.md.
 */

type Config = NonNullable<OperationsSettings['webhooks']['github']>;

const repository = z.looseObject({
  name: z.string().min(1),
  full_name: z.string().min(1),
  default_branch: optionalText,
  html_url: optionalText,
});

const deploymentStatusPayload = z.looseObject({
  deployment_status: z.looseObject({
    state: z.string(),
    environment: optionalText,
    created_at: time,
    updated_at: optionalTime,
    log_url: optionalText,
    target_url: optionalText,
    environment_url: optionalText,
    description: optionalText,
  }),
  deployment: z.looseObject({
    id: idText,
    sha: z.string().regex(/^[0-9a-f]{7,64}$/i, { message: 'must be a commit SHA' }),
    ref: optionalText,
    environment: optionalText,
    description: optionalText,
    created_at: time,
  }),
  repository,
});

const pushPayload = z.looseObject({
  ref: z.string(),
  deleted: z.boolean().optional(),
  repository,
  commits: z
    .array(z.looseObject({ id: z.string().regex(/^[0-9a-f]{7,64}$/i, { message: 'must be a commit SHA' }), message: optionalText, timestamp: time, url: optionalText }))
    .default([]),
});

const issuesPayload = z.looseObject({
  action: z.string(),
  issue: z.looseObject({
    number: z.number().int(),
    title: z.string(),
    state: z.string(),
    html_url: optionalText,
    labels: z.array(z.looseObject({ name: z.string() })).default([]),
    created_at: time,
    updated_at: optionalTime,
    closed_at: optionalTime,
  }),
  repository,
});

/** What decides whether an `issues` delivery is used: its action and the issue's labels. */
const issuesHead = z.looseObject({
  action: z.string(),
  issue: z.looseObject({ labels: z.array(z.looseObject({ name: z.string() })).nullish() }),
});

const workflowRunPayload = z.looseObject({
  action: z.string(),
  workflow_run: z.looseObject({
    id: idText,
    name: z.string().nullish().transform((v) => v ?? ''),
    head_branch: optionalText,
    head_sha: z.string().regex(/^[0-9a-f]{7,64}$/i, { message: 'must be a commit SHA' }),
    status: optionalText,
    conclusion: optionalText,
    run_number: z.number().int().optional(),
    run_attempt: z.number().int().optional(),
    html_url: optionalText,
    created_at: time,
    run_started_at: optionalTime,
    updated_at: time,
    head_commit: z.looseObject({ timestamp: optionalTime, message: optionalText }).nullish(),
  }),
  repository,
});

const DEPLOY_STATES: Record<string, { status: string; final: boolean }> = {
  success: { status: 'success', final: true },
  failure: { status: 'failure', final: true },
  error: { status: 'failure', final: true },
  in_progress: { status: 'in_progress', final: false },
  queued: { status: 'in_progress', final: false },
  pending: { status: 'in_progress', final: false },
};

const RUN_CONCLUSIONS: Record<string, string> = { success: 'success', failure: 'failure', timed_out: 'failure', startup_failure: 'failure' };

async function deploymentStatus(payload: unknown, ctx: MapContext): Promise<MapResult> {
  const head = read(z.looseObject({ deployment_status: z.looseObject({ state: z.string() }) }), payload);
  const state = DEPLOY_STATES[head.deployment_status.state];
  if (!state) {
    const st = head.deployment_status.state;
    return { ignored: st === 'inactive' ? 'state "inactive": a newer deployment superseded this one, which stays as recorded' : `deployment state "${st}" is not recorded` };
  }
  const p = read(deploymentStatusPayload, payload);
  const s = p.deployment_status;
  const sha = p.deployment.sha.toLowerCase();
  const environment = s.environment ?? p.deployment.environment;
  const at = (await ctx.lookup(`commit:${sha}`))?.startedAt;
  const event: OperationalEvent = {
    kind: 'deployment',
    source: 'github',
    externalId: `deployment:${p.deployment.id}`,
    service: p.repository.name,
    startedAt: Math.min(p.deployment.created_at, s.created_at),
    status: state.status,
    title: p.deployment.description ?? `Deploy ${p.deployment.ref ?? sha.slice(0, 7)} to ${environment ?? 'an unnamed environment'}`,
    attrs: defined({
      commits: [at === undefined ? { sha } : { sha, at }],
      trigger: 'pipeline',
      ref: p.deployment.ref,
      repo: p.repository.full_name,
      url: s.log_url ?? s.target_url ?? s.environment_url,
      providerState: s.state === state.status ? undefined : s.state,
      observedAt: s.updated_at ?? s.created_at,
    }),
  };
  if (environment !== undefined) event.environment = environment;
  if (state.final) event.endedAt = s.created_at;
  return { events: [event] };
}

function push(payload: unknown): MapResult {
  const p = read(pushPayload, payload);
  return pushToChanges({
    source: 'github',
    ref: p.ref,
    deleted: Boolean(p.deleted),
    defaultBranch: p.repository.default_branch,
    service: p.repository.name,
    repo: p.repository.full_name,
    commits: p.commits,
  });
}

/** Actions whose payload GitHub documents without the issue's `state`: they change nothing we record. */
const STATELESS_ISSUE_ACTIONS = new Set(['pinned', 'unpinned']);

function issues(payload: unknown, settings: OperationsSettings): MapResult {
  // Decide first, on the few fields the decision needs, whether the delivery is used at all:
  // a delivery that is ignored is 202 whatever else it carries or lacks.
  const head = read(issuesHead, payload);
  if (head.action === 'deleted' || head.action === 'transferred') return { ignored: `issue ${head.action}: the incident stays as recorded` };
  if (STATELESS_ISSUE_ACTIONS.has(head.action)) return { ignored: `issue ${head.action}: pinning changes nothing recorded (the payload carries no state)` };
  const wanted = new Set(settings.incidentLabels.map((l) => l.toLowerCase()));
  if (!(head.issue.labels ?? []).some((l) => wanted.has(l.name.toLowerCase()))) {
    return { ignored: `the issue has none of the incident labels (${settings.incidentLabels.join(', ') || 'none configured'})` };
  }
  const p = read(issuesPayload, payload);
  const labels = p.issue.labels.map((l) => l.name);
  const closed = p.issue.state === 'closed';
  const event: OperationalEvent = {
    kind: 'incident',
    source: 'github',
    externalId: `issue:${p.repository.full_name}#${p.issue.number}`,
    service: p.repository.name,
    startedAt: p.issue.created_at,
    status: closed ? 'resolved' : 'open',
    title: p.issue.title,
    attrs: defined({
      severity: severityFromLabels(labels),
      labels,
      repo: p.repository.full_name,
      url: p.issue.html_url,
      observedAt: p.issue.updated_at,
    }),
  };
  if (closed) event.endedAt = Math.max(p.issue.created_at, p.issue.closed_at ?? p.issue.updated_at ?? p.issue.created_at);
  return { events: [event] };
}

function workflowRun(payload: unknown, config: Config): MapResult {
  const head = read(z.looseObject({ action: z.string(), workflow_run: z.looseObject({ name: z.string().nullish().transform((v) => v ?? '') }) }), payload);
  if (head.action !== 'completed') return { ignored: `workflow run ${head.action}: only completed runs are recorded` };
  if (config.deployWorkflows.length === 0) return { ignored: 'no deploy_workflows configured: workflow runs are not deployments' };
  if (!matchesAny(head.workflow_run.name, config.deployWorkflows)) return { ignored: `workflow "${head.workflow_run.name}" matches none of deploy_workflows` };
  const p = read(workflowRunPayload, payload);
  const run = p.workflow_run;
  if (p.repository.default_branch !== undefined && run.head_branch !== p.repository.default_branch) {
    return { ignored: `run on "${run.head_branch ?? '(no branch)'}", not the default branch "${p.repository.default_branch}"` };
  }
  const status = RUN_CONCLUSIONS[run.conclusion ?? ''];
  if (!status) return { ignored: `conclusion "${run.conclusion ?? 'none'}" is neither a success nor a failure` };
  const sha = run.head_sha.toLowerCase();
  const at = run.head_commit?.timestamp;
  const startedAt = Math.min(run.run_started_at ?? run.created_at, run.updated_at);
  return {
    events: [
      {
        kind: 'deployment',
        source: 'github',
        externalId: `workflow_run:${run.id}`,
        service: p.repository.name,
        environment: config.deployEnvironment,
        startedAt,
        endedAt: run.updated_at,
        status,
        title: `${run.name || 'workflow'}${run.run_number !== undefined ? ` #${run.run_number}` : ''}`,
        attrs: defined({
          commits: [at === undefined ? { sha } : { sha, at }],
          trigger: 'pipeline',
          branch: run.head_branch,
          repo: p.repository.full_name,
          url: run.html_url,
          runAttempt: run.run_attempt,
          providerState: run.conclusion === status ? undefined : run.conclusion,
          observedAt: run.updated_at,
        }),
      },
    ],
  };
}

const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export const github: WebhookProvider<Config> = {
  name: 'github',
  describe: { title: 'GitHub', signatureHeader: 'X-Hub-Signature-256', records: 'deployment_status, push, issues, workflow_run' },
  config: (settings) => settings.webhooks.github,
  verifyHeaders(headers) {
    const reason = checkGithubSignatureHeader(header(headers, 'x-hub-signature-256'));
    return reason === undefined ? undefined : { header: 'X-Hub-Signature-256', reason };
  },
  verify(body, headers, config) {
    const reason = checkGithubSignature(body, header(headers, 'x-hub-signature-256'), config.secret);
    return reason === undefined ? undefined : { header: 'X-Hub-Signature-256', reason };
  },
  map(payload, headers, config, ctx) {
    const event = header(headers, 'x-github-event');
    switch (event) {
      case 'deployment_status':
        return deploymentStatus(payload, ctx);
      case 'push':
        return push(payload);
      case 'issues':
        return issues(payload, ctx.settings);
      case 'workflow_run':
        return workflowRun(payload, config);
      case 'ping':
        return { ignored: 'ping: the webhook is set up' };
      case undefined:
        throw new PayloadError('X-GitHub-Event', 'missing: GitHub names the event in this header', 'header');
      default:
        return { ignored: `GitHub event "${event}" is not recorded` };
    }
  },
};
