import { z } from 'zod';
import { httpUrl } from '../../../collectors/config-schemas.js';
import { patternProblem } from '../../../collectors/pattern.js';
import type { OperationsSettings } from '../../events/types.js';
import { docs } from '../doc-meta.js';
import type { Path } from '../../validation/path.js';
import { slugSchema } from './shared.js';
import { parseSelector, SelectorError } from '../../store/selector.js';

/**
 * `operations:` — how operational events are read: what counts as production, which issues are
 * incidents, the webhook secrets (use `${ENV}` references), DORA's benchmark year and the
 * runbooks whose review age is tracked. Optional; every key has a default. See docs/events.md.
 */

const nonEmpty = z.string().trim().min(1, { message: 'must not be empty' });

/** A secret or token: from `${ENV}` in practice, so it is never committed with the file. */
const secret = z.string().min(1, { message: 'must not be empty' }).register(docs, { type: 'string (use ${ENV})' });

const patterns = z
  .array(
    z.string().superRefine((p, ctx) => {
      const problem = patternProblem(p, { anchored: false, caseInsensitive: true });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  )
  .register(docs, { type: 'list of regular expressions (RE2 syntax)' });

const environment = nonEmpty.default('production');

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'expected a label name' });

/** `{label="v",other=~"re"}` as Alertmanager's matchers read; parsed to a list of matchers. */
const alertMatchers = z
  .string()
  .transform((text, ctx) => {
    const braced = text.trim().startsWith('{') ? text.trim() : `{${text}}`;
    try {
      return parseSelector(braced, 'matcher').matchers;
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
      return z.NEVER;
    }
  })
  .register(docs, { type: 'label matchers, e.g. {severity=~"critical|page",team="payments"}' });

const BENCHMARK_YEARS = [2021, 2022, 2023, 2024] as const;

const isoDay = z
  .string({ error: (iss) => (iss.input instanceof Date ? 'write the date as a quoted string, e.g. "2026-10-01"' : 'expected a date YYYY-MM-DD') })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date YYYY-MM-DD' })
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { message: 'not a calendar date' })
  .register(docs, { type: 'date YYYY-MM-DD' });

export const operationsSchema = z
  .strictObject({
    production_environments: z
      .array(nonEmpty)
      .min(1, { message: 'name at least one environment' })
      .default(['production', 'prod'])
      .describe('Environment names that count as production for DORA metrics.'),
    dora: z
      .strictObject({
        benchmark_year: z
          .union(BENCHMARK_YEARS.map((y) => z.literal(y)), { error: `must be one of ${BENCHMARK_YEARS.join(', ')}` })
          .register(docs, { type: BENCHMARK_YEARS.join(' | ') })
          .default(2023)
          .describe('Which year of the DORA report rates performance (elite, high, medium, low).'),
      })
      .prefault({})
      .describe('DORA metrics settings.'),
    incident_labels: z
      .array(nonEmpty)
      .default(['incident'])
      .describe('GitHub and GitLab issues carrying one of these labels (case-insensitive) are stored as incidents.'),
    webhooks: z
      .strictObject({
        github: z
          .strictObject({
            secret: secret.describe('The webhook secret; requests are checked against X-Hub-Signature-256.'),
            deploy_workflows: patterns
              .default([])
              .describe('Workflows (by name) whose completed runs on the default branch are deployments; empty: workflow_run is ignored.'),
            deploy_environment: environment.describe('The environment of deployments recorded from workflow runs.'),
          })
          .optional()
          .describe('Enables POST /api/webhooks/github.'),
        gitlab: z
          .strictObject({
            token: secret.describe('The secret token; requests are checked against X-Gitlab-Token.'),
            deploy_pipelines: patterns
              .default([])
              .describe('Pipelines (by name; "" when unnamed) whose finished runs on the default branch are deployments; empty: pipeline events are ignored.'),
            deploy_environment: environment.describe('The environment of deployments recorded from pipelines.'),
          })
          .optional()
          .describe('Enables POST /api/webhooks/gitlab.'),
        pagerduty: z
          .strictObject({
            secret: secret.describe('The v3 subscription secret; requests are checked against X-PagerDuty-Signature.'),
          })
          .optional()
          .describe('Enables POST /api/webhooks/pagerduty.'),
        alertmanager: z
          .strictObject({
            bearer_token: secret.optional().describe('Expected as `Authorization: Bearer <token>` (the receiver\'s http_config.authorization.credentials).'),
            basic_auth: z
              .strictObject({ username: nonEmpty.describe('User name.'), password: secret.describe('Password.') })
              .optional()
              .describe('Expected as `Authorization: Basic …` (the receiver\'s http_config.basic_auth).'),
            match: z
              .array(alertMatchers)
              .default([])
              .describe('Alerts that become incidents: an alert matching every matcher of any one entry, e.g. `{severity=~"critical|page"}`; empty: every alert.'),
            service_label: labelName.default('service').describe('The label naming the incident\'s service (falls back to `job`).'),
            severity_label: labelName.default('severity').describe('The label giving its severity.'),
            environment_label: labelName.default('environment').describe('The label giving its environment (absent: production).'),
          })
          .refine((a) => a.bearer_token !== undefined || a.basic_auth !== undefined, {
            message: 'set bearer_token or basic_auth: the receiver must authenticate',
          })
          .optional()
          .describe('Enables POST /api/webhooks/alertmanager (an Alertmanager webhook receiver).'),
      })
      .prefault({})
      .describe('Providers whose webhooks are accepted. A provider left out answers 404.'),
    runbooks: z
      .array(
        z.strictObject({
          id: slugSchema.describe('Unique among runbooks.'),
          title: nonEmpty.describe('What the procedure does.'),
          owner: nonEmpty.optional().describe('Who keeps it current.'),
          reviewed: isoDay.describe('The day it was last reviewed or rehearsed.'),
          url: httpUrl.optional().register(docs, { type: 'http(s) URL' }).describe('Where it lives.'),
        }),
      )
      .default([])
      .describe('Runbooks whose age since last review is tracked ("refine operations procedures frequently").'),
  })
  .transform(
    (o): OperationsSettings => ({
      productionEnvironments: o.production_environments,
      dora: { benchmarkYear: o.dora.benchmark_year },
      incidentLabels: o.incident_labels,
      webhooks: {
        ...(o.webhooks.github && {
          github: { secret: o.webhooks.github.secret, deployWorkflows: o.webhooks.github.deploy_workflows, deployEnvironment: o.webhooks.github.deploy_environment },
        }),
        ...(o.webhooks.gitlab && {
          gitlab: { token: o.webhooks.gitlab.token, deployPipelines: o.webhooks.gitlab.deploy_pipelines, deployEnvironment: o.webhooks.gitlab.deploy_environment },
        }),
        ...(o.webhooks.pagerduty && { pagerduty: { secret: o.webhooks.pagerduty.secret } }),
        ...(o.webhooks.alertmanager && {
          alertmanager: {
            ...(o.webhooks.alertmanager.bearer_token !== undefined && { bearerToken: o.webhooks.alertmanager.bearer_token }),
            ...(o.webhooks.alertmanager.basic_auth && { basicAuth: o.webhooks.alertmanager.basic_auth }),
            match: o.webhooks.alertmanager.match,
            serviceLabel: o.webhooks.alertmanager.service_label,
            severityLabel: o.webhooks.alertmanager.severity_label,
            environmentLabel: o.webhooks.alertmanager.environment_label,
          },
        }),
      },
      runbooks: o.runbooks.map((r) => ({
        id: r.id,
        title: r.title,
        ...(r.owner !== undefined && { owner: r.owner }),
        reviewedAt: Date.parse(`${r.reviewed}T00:00:00Z`),
        ...(r.url !== undefined && { url: r.url }),
      })),
    }),
  )
  .prefault({})
  .describe('Operational events: production environments, incident labels, webhooks, DORA, runbooks. Optional.');

const RENAMED: Record<string, string> = {
  production_environments: 'productionEnvironments',
  incident_labels: 'incidentLabels',
  benchmark_year: 'benchmarkYear',
  deploy_workflows: 'deployWorkflows',
  deploy_pipelines: 'deployPipelines',
  deploy_environment: 'deployEnvironment',
  reviewed: 'reviewedAt',
  bearer_token: 'bearerToken',
  basic_auth: 'basicAuth',
  service_label: 'serviceLabel',
  severity_label: 'severityLabel',
  environment_label: 'environmentLabel',
};

/** Where a path under `operations` lands in the Workload (`webhooks.github.deploy_workflows` → `…deployWorkflows`). */
export function operationsOutputPath(rest: Path): Path {
  return rest.map((seg) => (typeof seg === 'string' && RENAMED[seg] ? RENAMED[seg] : seg));
}
