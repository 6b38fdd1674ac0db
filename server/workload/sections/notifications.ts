import { z } from 'zod';
import type { NotificationChannelSettings, NotificationSettings } from '../../notifications/settings.js';
import { STATUSES, type Status } from '../../scoring/types.js';
import type { Path } from '../../validation/path.js';
import { docs } from '../doc-meta.js';
import { durationAtLeast, durationSchema } from '../duration.js';
import { emailSchema, httpUrl, renamedPath, toEmailSettings, webhookSchema } from './reports.js';
import { slugSchema } from './shared.js';

/**
 * `notifications:` — rules that tell people when an outcome, pillar or indicator changes
 * status, and the channels they are told through (the weekly report's e-mail and webhooks,
 * plus Prometheus Alertmanager). Optional. See docs/notifications.md.
 */

const ids = z
  .array(z.string().trim().min(1, { message: 'must not be empty' }))
  .default([])
  .register(docs, { type: 'list of ids, or ["*"] for all' });

const channelSchema = z
  .strictObject({
    name: slugSchema.describe('Names the channel in rules, the API and /metrics.'),
    email: emailSchema.optional().describe('E-mail over SMTP, as `reports.weekly.email`.'),
    webhook: webhookSchema.omit({ name: true }).optional().describe('A Slack-compatible (`format: slack`) or JSON webhook, as an entry of `reports.weekly.webhooks`.'),
    alertmanager: z
      .strictObject({
        url: httpUrl.describe('The Alertmanager, e.g. http://alertmanager:9093; alerts are POSTed to /api/v2/alerts.'),
        headers: z.record(z.string(), z.string()).default({}).describe('Extra request headers, e.g. Authorization.').register(docs, { type: 'map of header → string' }),
      })
      .optional()
      .describe('Prometheus Alertmanager: each change is an alert with labels outcome / pillar / indicator and status.'),
  })
  .superRefine((c, ctx) => {
    const kinds = (['email', 'webhook', 'alertmanager'] as const).filter((k) => c[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `set exactly one of email, webhook, alertmanager (found ${kinds.length ? kinds.join(', ') : 'none'})` });
  })
  .transform((c): NotificationChannelSettings => {
    if (c.email) return { name: c.name, type: 'email', email: toEmailSettings(c.email) };
    if (c.webhook) return { name: c.name, type: 'webhook', webhook: { name: c.name, url: c.webhook.url, format: c.webhook.format, headers: c.webhook.headers } };
    return { name: c.name, type: 'alertmanager', url: c.alertmanager!.url, headers: c.alertmanager!.headers };
  });

const ruleSchema = z.strictObject({
  id: slugSchema.describe('Unique among rules.'),
  outcomes: ids.describe('Outcome ids watched; `["*"]` for every outcome.'),
  pillars: ids.describe('Pillars watched (operational_excellence, security, …); `["*"]` for all six.'),
  indicators: ids.describe('Indicator ids watched; `["*"]` for every indicator.'),
  statuses: z
    .array(z.enum(STATUSES))
    .min(1, { message: 'name at least one status' })
    .default(['warning', 'critical'])
    .describe('Entering one of these statuses notifies; leaving them for a measured status is a recovery (no_data or stale, unless listed, is a "no longer measured" message and stays firing).')
    .register(docs, { type: `list of ${STATUSES.join(', ')}` }),
  for: durationSchema.prefault('0s').describe('How long the status must hold before the first message (damps flapping). 0: at the first pass that sees it.'),
  repeat: durationAtLeast(60_000).optional().describe('While it stays there, a reminder this often. Absent: none.'),
  recovery: z.boolean().default(true).describe('Send a message when it leaves `statuses` for a measured status after one was sent.'),
  channels: z.array(slugSchema).min(1, { message: 'name at least one channel' }).describe('Names of `notifications.channels`.'),
  quiet_hours: z.boolean().default(true).describe('Hold its messages during `notifications.quiet_hours`; false sends at once (pages).'),
});

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected a time HH:MM, e.g. "22:00"' })
  .transform((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)))
  .register(docs, { type: 'time HH:MM' });

const quietSchema = z
  .strictObject({
    days: z.array(z.enum(DAY_NAMES)).min(1, { message: 'name at least one day' }).default([...DAY_NAMES]).describe('Days the window starts on.').register(docs, { type: 'list of mon … sun' }),
    from: clockTime.describe('Start, local time (the workload\'s time zone).'),
    to: clockTime.describe('End, local time; earlier than `from` means the next day.'),
  })
  .refine((q) => q.from !== q.to, { message: 'from and to are the same time' });

export const notificationsSchema = z
  .strictObject({
    base_url: httpUrl.optional().describe('Public URL of this Pillarboard: messages link to the dashboard page of what changed.'),
    channels: z.array(channelSchema).default([]).describe('Where messages go.'),
    rules: z.array(ruleSchema).default([]).describe('What is notified, and to which channels.'),
    quiet_hours: z
      .array(quietSchema)
      .default([])
      .describe('Windows during which messages are held until the window ends, e.g. `{ days: [mon, tue, wed, thu, fri], from: "20:00", to: "07:00" }`.'),
    retry: z
      .strictObject({
        delays: z
          .array(durationAtLeast(1000))
          .min(1, { message: 'needs at least one delay' })
          .prefault(['30s', '2m', '10m', '30m'])
          .describe('Waits between delivery attempts per channel; n delays give n + 1 attempts.')
          .register(docs, { type: 'list of durations' }),
      })
      .prefault({})
      .describe('How failed deliveries are retried.'),
  })
  .superRefine((n, ctx) => {
    const names = new Map<string, number>();
    n.channels.forEach((c, i) => {
      const first = names.get(c.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['channels', i, 'name'], message: `duplicate channel name "${c.name}" (also channels[${first}])` });
      else names.set(c.name, i);
    });
    const rules = new Map<string, number>();
    n.rules.forEach((r, i) => {
      const first = rules.get(r.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${r.id}" (also rules[${first}])` });
      else rules.set(r.id, i);
      r.channels.forEach((c, j) => {
        if (!names.has(c)) {
          const known = [...names.keys()];
          ctx.addIssue({ code: 'custom', path: ['rules', i, 'channels', j], message: `unknown channel "${c}"; ${known.length ? `expected one of: ${known.join(', ')}` : 'notifications.channels names none'}` });
        }
      });
      if (r.outcomes.length + r.pillars.length + r.indicators.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['rules', i], message: 'watches nothing: name outcomes, pillars or indicators (["*"] for all)' });
      }
    });
  })
  .transform(
    (n): NotificationSettings => ({
      ...(n.base_url !== undefined && { baseUrl: n.base_url.replace(/\/+$/, '') }),
      channels: n.channels,
      rules: n.rules.map((r) => ({
        id: r.id,
        outcomes: r.outcomes,
        pillars: r.pillars,
        indicators: r.indicators,
        statuses: r.statuses as Status[],
        forMs: r.for,
        ...(r.repeat !== undefined && { repeatMs: r.repeat }),
        recovery: r.recovery,
        channels: r.channels,
        quietHours: r.quiet_hours,
      })),
      retryDelaysMs: n.retry.delays,
      quietHours: n.quiet_hours.map((q) => ({ days: q.days.map((d) => DAY_NAMES.indexOf(d)), fromMin: q.from, toMin: q.to })),
    }),
  )
  .prefault({})
  .describe('Notifications when an outcome, pillar or indicator changes status. Optional.');

const RENAMED: Record<string, string> = { quiet_hours: 'quietHours', from: 'fromMin', to: 'toMin', base_url: 'baseUrl', for: 'forMs', repeat: 'repeatMs', pass: 'password', require_tls: 'requireTls', reject_unauthorized: 'rejectUnauthorized' };

/** Where a path under `notifications` lands in the Workload (`rules[0].for` → `rules[0].forMs`, `retry.delays` → `retryDelaysMs`). */
export function notificationsOutputPath(rest: Path): Path {
  return renamedPath(rest, RENAMED);
}
