import { z } from 'zod';
import type { OperationalEvent } from '../../collectors/types.js';
import type { OperationsSettings } from '../events/types.js';
import { defined, idText, matchesAny, optionalText, optionalTime, read, severityFromLabels, time } from './payload.js';
import { checkGitlabToken } from './verify.js';
import { PayloadError, type Headers, type MapContext, type MapResult, type WebhookProvider } from './types.js';
import { pushToChanges } from './push.js';

/**
 * GitLab project or group webhooks, dispatched on the payload's `object_kind`:
 * `deployment` → deployment, `push` to the default branch → one change per commit,
 * `issue` / `work_item` that is an incident (type Incident, or an incident label) → incident,
 * `pipeline` of a configured deploy pipeline, finished on the default branch → deployment.
 * The service is the project's path (last segment of `path_with_namespace`).
 */

type Config = NonNullable<OperationsSettings['webhooks']['gitlab']>;

const project = z.looseObject({
  path_with_namespace: z.string().min(1),
  default_branch: optionalText,
  web_url: optionalText,
});

const deploymentPayload = z.looseObject({
  status: z.string(),
  status_changed_at: time,
  deployment_id: idText,
  environment: z.string().min(1),
  environment_external_url: optionalText,
  deployable_url: optionalText,
  short_sha: optionalText,
  commit_url: optionalText,
  commit_title: optionalText,
  project,
});

const pushPayload = z.looseObject({
  ref: z.string(),
  after: optionalText,
  project,
  commits: z
    .array(z.looseObject({ id: z.string().regex(/^[0-9a-f]{7,64}$/i, { message: 'must be a commit SHA' }), message: optionalText, title: optionalText, timestamp: time, url: optionalText }))
    .default([]),
});

const label = z.looseObject({ title: z.string() });
const issuePayload = z.looseObject({
  object_attributes: z.looseObject({
    iid: z.number().int(),
    title: z.string(),
    state: z.string(),
    type: optionalText,
    issue_type: optionalText,
    severity: optionalText,
    url: optionalText,
    action: optionalText,
    created_at: time,
    updated_at: optionalTime,
    closed_at: optionalTime,
    labels: z.array(label).optional(),
  }),
  labels: z.array(label).optional(),
  project,
});

/** What decides whether an `issue` / `work_item` delivery is used. */
const issueHead = z.looseObject({
  object_attributes: z.looseObject({ type: optionalText, issue_type: optionalText, labels: z.array(label).nullish() }),
  labels: z.array(label).nullish(),
  project: z.unknown().optional(),
});

const pipelinePayload = z.looseObject({
  object_attributes: z.looseObject({
    id: idText,
    name: z.string().nullish().transform((v) => v ?? ''),
    ref: z.string(),
    tag: z.boolean().optional(),
    sha: z.string().regex(/^[0-9a-f]{7,64}$/i, { message: 'must be a commit SHA' }),
    status: z.string(),
    created_at: time,
    finished_at: optionalTime,
    url: optionalText,
  }),
  commit: z.looseObject({ timestamp: optionalTime }).nullish(),
  project,
});

const serviceOf = (p: { path_with_namespace: string }) => p.path_with_namespace.split('/').pop()!;

const DEPLOY_STATUS: Record<string, { status: string; final: boolean }> = {
  running: { status: 'in_progress', final: false },
  success: { status: 'success', final: true },
  failed: { status: 'failure', final: true },
  canceled: { status: 'cancelled', final: true },
};

async function deployment(payload: unknown, ctx: MapContext): Promise<MapResult> {
  const head = read(z.looseObject({ status: z.string() }), payload);
  const state = DEPLOY_STATUS[head.status];
  if (!state) return { ignored: `deployment status "${head.status}" is not recorded` };
  const p = read(deploymentPayload, payload);
  const externalId = `deployment:${p.deployment_id}`;
  // The Deployment Hook carries only the time of this status: the start is the "running"
  // delivery's, when it came first.
  const previous = await ctx.lookup(externalId);
  const startedAt = state.final && previous ? Math.min(previous.startedAt, p.status_changed_at) : p.status_changed_at;
  const fromUrl = /\/commit\/([0-9a-f]{40}|[0-9a-f]{64})$/i.exec(p.commit_url ?? '')?.[1];
  const sha = (fromUrl ?? p.short_sha)?.toLowerCase();
  const at = sha === undefined ? undefined : (await ctx.lookup(`commit:${sha}`))?.startedAt;
  const event: OperationalEvent = {
    kind: 'deployment',
    source: 'gitlab',
    externalId,
    service: serviceOf(p.project),
    environment: p.environment,
    startedAt,
    status: state.status,
    title: [`Deploy${p.short_sha ? ` ${p.short_sha}` : ''} to ${p.environment}`, p.commit_title].filter(Boolean).join(': '),
    attrs: defined({
      commits: sha === undefined ? undefined : [at === undefined ? { sha } : { sha, at }],
      trigger: p.deployable_url ? 'pipeline' : undefined,
      repo: p.project.path_with_namespace,
      url: p.deployable_url ?? p.environment_external_url,
      providerState: p.status === state.status ? undefined : p.status,
      observedAt: p.status_changed_at,
    }),
  };
  if (state.final) event.endedAt = p.status_changed_at;
  return { events: [event] };
}

function push(payload: unknown): MapResult {
  const p = read(pushPayload, payload);
  return pushToChanges({
    source: 'gitlab',
    ref: p.ref,
    deleted: p.after !== undefined && /^0+$/.test(p.after),
    defaultBranch: p.project.default_branch,
    service: serviceOf(p.project),
    repo: p.project.path_with_namespace,
    commits: p.commits,
  });
}

function issue(payload: unknown, settings: OperationsSettings): MapResult {
  // Decide on the few fields the decision needs before reading the rest: an ignored delivery
  // (a group-level epic, an ordinary issue) is 202 whatever else it carries or lacks.
  const head = read(issueHead, payload);
  const h = head.object_attributes;
  const wanted = new Set(settings.incidentLabels.map((l) => l.toLowerCase()));
  const isIncident =
    h.type?.toLowerCase() === 'incident' ||
    h.issue_type?.toLowerCase() === 'incident' ||
    (head.labels ?? h.labels ?? []).some((l) => wanted.has(l.title.toLowerCase()));
  if (!isIncident) return { ignored: 'neither an incident nor labelled with an incident label' };
  if (head.project == null) return { ignored: 'a group-level work item (no project): not tied to a service' };
  const p = read(issuePayload, payload);
  const a = p.object_attributes;
  const labels = (p.labels ?? a.labels ?? []).map((l) => l.title);
  const closed = a.state === 'closed';
  const event: OperationalEvent = {
    kind: 'incident',
    source: 'gitlab',
    externalId: `issue:${p.project.path_with_namespace}#${a.iid}`,
    service: serviceOf(p.project),
    startedAt: a.created_at,
    status: closed ? 'resolved' : 'open',
    title: a.title,
    attrs: defined({
      severity: a.severity?.toLowerCase() ?? severityFromLabels(labels),
      labels,
      repo: p.project.path_with_namespace,
      url: a.url,
      observedAt: a.updated_at,
    }),
  };
  if (closed) event.endedAt = Math.max(a.created_at, a.closed_at ?? a.updated_at ?? a.created_at);
  return { events: [event] };
}

const PIPELINE_STATUS: Record<string, string> = { success: 'success', failed: 'failure' };

function pipeline(payload: unknown, config: Config): MapResult {
  if (config.deployPipelines.length === 0) return { ignored: 'no deploy_pipelines configured: pipelines are not deployments' };
  const head = read(z.looseObject({ object_attributes: z.looseObject({ name: z.string().nullish().transform((v) => v ?? '') }) }), payload);
  const name = head.object_attributes.name;
  if (!matchesAny(name, config.deployPipelines)) return { ignored: `pipeline "${name}" matches none of deploy_pipelines` };
  const p = read(pipelinePayload, payload);
  const a = p.object_attributes;
  if (a.tag || (p.project.default_branch !== undefined && a.ref !== p.project.default_branch)) {
    return { ignored: `pipeline for "${a.ref}", not the default branch "${p.project.default_branch ?? '?'}"` };
  }
  const status = PIPELINE_STATUS[a.status];
  if (!status || a.finished_at === undefined) return { ignored: `pipeline status "${a.status}": only finished pipelines (success, failed) are recorded` };
  const sha = a.sha.toLowerCase();
  const at = p.commit?.timestamp;
  return {
    events: [
      {
        kind: 'deployment',
        source: 'gitlab',
        externalId: `pipeline:${a.id}`,
        service: serviceOf(p.project),
        environment: config.deployEnvironment,
        startedAt: Math.min(a.created_at, a.finished_at),
        endedAt: a.finished_at,
        status,
        title: a.name || `Pipeline ${a.id}`,
        attrs: defined({
          commits: [at === undefined ? { sha } : { sha, at }],
          trigger: 'pipeline',
          branch: a.ref,
          repo: p.project.path_with_namespace,
          url: a.url,
          providerState: a.status === status ? undefined : a.status,
          observedAt: a.finished_at,
        }),
      },
    ],
  };
}

const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The X-Gitlab-Event values of the events mapped above (work items arrive as "Issue Hook"). */
const USED_HOOKS = new Set(['Deployment Hook', 'Push Hook', 'Issue Hook', 'Confidential Issue Hook', 'Work Item Hook', 'Pipeline Hook']);

const kindOf = (payload: unknown): unknown =>
  payload !== null && typeof payload === 'object' ? (payload as { object_kind?: unknown }).object_kind : undefined;

export const gitlab: WebhookProvider<Config> = {
  name: 'gitlab',
  describe: { title: 'GitLab', signatureHeader: 'X-Gitlab-Token', records: 'Deployment, Push, Issue and Pipeline hooks' },
  config: (settings) => settings.webhooks.gitlab,
  // The token is the whole check and needs no body: done before the body is read.
  verifyHeaders(headers, config) {
    const raw = headers['x-gitlab-token'];
    const reason = checkGitlabToken(Array.isArray(raw) ? raw[0] : raw, config.token);
    return reason === undefined ? undefined : { header: 'X-Gitlab-Token', reason };
  },
  verify(_body, headers, config) {
    return this.verifyHeaders(headers, config);
  },
  map(payload, headers, config, ctx) {
    const kind = kindOf(payload);
    switch (kind) {
      case 'deployment':
        return deployment(payload, ctx);
      case 'push':
        return push(payload);
      case 'issue':
      case 'work_item':
        return issue(payload, ctx.settings);
      case 'pipeline':
        return pipeline(payload, config);
      default:
        if (typeof kind !== 'string') {
          // Member, project and subgroup events (group webhooks) carry no object_kind; the
          // X-Gitlab-Event header still names them. Only a hook we read needs object_kind.
          const hook = header(headers, 'x-gitlab-event');
          if (hook === undefined || USED_HOOKS.has(hook)) throw new PayloadError('object_kind', 'missing: GitLab names the kind of every event Pillarboard reads');
          return { ignored: `GitLab "${hook}" is not recorded` };
        }
        return { ignored: `GitLab event "${kind}" is not recorded` };
    }
  },
};
