import { Cron } from 'croner';
import { z } from 'zod';
import { DEFAULT_CRON, REPORT_FORMATS, type EmailSettings, type ReportsSettings, type WebhookSettings, type WeeklyReportSettings } from '../../reports/settings.js';
import { docs } from '../doc-meta.js';
import { durationAtLeast } from '../duration.js';
import type { Path } from '../../validation/path.js';
import { slugSchema, timezoneSchema } from './shared.js';

/**
 * `reports:` — the weekly outcome report: when it runs, what it attaches, where it goes.
 * Optional: without it the report still runs every Monday 08:00 (workload time zone) and is
 * archived, with no delivery channel. Secrets (SMTP password, webhook URLs that embed a
 * token) belong in `${ENV}` references.
 */

const cronSchema = z
  .string()
  .superRefine((expr, ctx) => {
    try {
      new Cron(expr, { paused: true }).stop();
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `invalid cron expression "${expr}": ${(err as Error).message.replace(/^CronPattern: /, '')}` });
    }
  })
  .register(docs, { type: 'cron expression' });

const ADDRESS = /^(?:[^<>@\s]+@[^<>@\s]+|[^<>]*<[^<>@\s]+@[^<>@\s]+>)$/;
const address = z.string().trim().regex(ADDRESS, { message: 'must be an e-mail address, e.g. ops@example.com or "Ops <ops@example.com>"' }).register(docs, { type: 'e-mail address' });

export const httpUrl = z
  .string()
  .refine((u) => {
    try {
      return ['http:', 'https:'].includes(new URL(u).protocol);
    } catch {
      return false;
    }
  }, { message: 'must be an http:// or https:// URL' })
  .register(docs, { type: 'URL' });

/** Numbers from `${ENV}` arrive as strings: a port may be written either way. */
const portSchema = z
  .preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v), z.number().int().min(1).max(65535))
  .register(docs, { type: 'integer 1–65535' });

const smtpSchema = z.strictObject({
  host: z.string().trim().min(1, { message: 'must not be empty' }).describe('SMTP server host name.'),
  port: portSchema.optional().describe('SMTP port.').register(docs, { default: '465 when `secure`, else 587' }),
  secure: z.boolean().default(false).describe('TLS from the first byte (usually port 465). With false, STARTTLS is used when the server offers it.'),
  require_tls: z.boolean().default(false).describe('Refuse to send unless the connection is upgraded with STARTTLS.'),
  auth: z
    .strictObject({
      user: z.string().min(1, { message: 'must not be empty' }).describe('User name.'),
      pass: z.string().min(1, { message: 'must not be empty' }).describe('Password; write `${SMTP_PASSWORD}`, never the password itself.'),
    })
    .optional()
    .describe('Login, when the server requires one.'),
  tls: z
    .strictObject({
      reject_unauthorized: z.boolean().default(true).describe('Verify the server certificate. Turn off only for a test server.'),
      servername: z.string().optional().describe('Host name to verify the certificate against, when it differs from `host`.'),
    })
    .prefault({})
    .describe('TLS options.'),
});

export const emailSchema = z.strictObject({
  smtp: smtpSchema.describe('The SMTP server reports are sent through.'),
  from: address.describe('Sender, e.g. "Pillarboard <pillarboard@example.com>".'),
  to: z.array(address).min(1, { message: 'needs at least one recipient' }).describe('Recipients.').register(docs, { type: 'list of e-mail addresses' }),
  cc: z.array(address).default([]).describe('Copy recipients.').register(docs, { type: 'list of e-mail addresses' }),
});

export const webhookSchema = z.strictObject({
  url: httpUrl.describe('Where the report is POSTed. Slack URLs hold a token: write `${SLACK_WEBHOOK_URL}`.'),
  format: z.enum(['slack', 'json']).default('json').describe('`slack`: an incoming-webhook message `{ text }` with the summary; `json`: the whole report as JSON.'),
  name: slugSchema.optional().describe('Names the channel in the API and /metrics.').register(docs, { default: 'format and position, e.g. `slack-1`' }),
  headers: z.record(z.string(), z.string()).default({}).describe('Extra request headers, e.g. Authorization for a JSON receiver.').register(docs, { type: 'map of header → string' }),
});

const weeklySchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Produce the report on schedule. On-demand runs (`pillarboard report`, the API) work either way.'),
    cron: cronSchema.default(DEFAULT_CRON).describe('When the report for the previous ISO week runs (5 fields, or 6 with seconds).'),
    timezone: timezoneSchema.optional().describe('Zone of the cron expression and of the week (Monday 00:00 to Monday 00:00).').register(docs, { default: '`workload.timezone`' }),
    formats: z
      .array(z.enum(REPORT_FORMATS))
      .default(['html', 'pdf'])
      .describe('Attached to e-mail; `pdf` is also stored (JSON, Markdown and HTML always are). PDF needs Chromium on the server.')
      .register(docs, { type: 'list of json, md, html, pdf' }),
    paper: z.enum(['A4', 'Letter']).default('A4').describe('PDF paper size.'),
    base_url: httpUrl.optional().describe('Public URL of this Pillarboard; messages then link to the archived report.'),
    email: emailSchema.optional().describe('Send the report by e-mail: HTML body, plain-text alternative, attachments as `formats`.'),
    webhooks: z.array(webhookSchema).default([]).describe('Webhooks to POST the report to.'),
    retry: z
      .strictObject({
        delays: z.array(durationAtLeast(1000)).min(1, { message: 'needs at least one delay' }).prefault(['1m', '5m', '30m']).describe('Waits between delivery attempts; n delays give n + 1 attempts.').register(docs, { type: 'list of durations' }),
      })
      .prefault({})
      .describe('How failed deliveries are retried.'),
  })
  .superRefine((w, ctx) => {
    const names = new Map<string, number>();
    w.webhooks.forEach((h, i) => {
      const name = h.name ?? `${h.format}-${i + 1}`;
      const first = names.get(name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'name'], message: `duplicate webhook name "${name}" (also webhooks[${first}])` });
      else names.set(name, i);
    });
  })
  .transform((w): WeeklyReportSettings => {
    const webhooks: WebhookSettings[] = w.webhooks.map((h, i) => ({ name: h.name ?? `${h.format}-${i + 1}`, url: h.url, format: h.format, headers: h.headers }));
    const out: WeeklyReportSettings = { enabled: w.enabled, cron: w.cron, formats: [...new Set(w.formats)], paper: w.paper, webhooks, retryDelaysMs: w.retry.delays };
    if (w.timezone !== undefined) out.timezone = w.timezone;
    if (w.base_url !== undefined) out.baseUrl = w.base_url;
    if (w.email) out.email = toEmailSettings(w.email);
    return out;
  })
  .prefault({})
  .describe('The weekly outcome report.');

export const reportsSchema = z
  .strictObject({ weekly: weeklySchema })
  .transform((r): ReportsSettings => r)
  .prefault({})
  .describe('Reports. Optional: by default the weekly report is archived every Monday 08:00 and sent nowhere.');

const RENAMED: Record<string, string> = {
  pass: 'password',
  reject_unauthorized: 'rejectUnauthorized',
  require_tls: 'requireTls',
  base_url: 'baseUrl',
};

/** Where a path under `reports` lands in the Workload: snake_case keys renamed, `retry.delays` → `retryDelaysMs`, `auth.pass` → `auth.password`. */
export function reportsOutputPath(rest: Path): Path {
  return renamedPath(rest, RENAMED);
}

/** A path with its snake_case keys renamed by `renamed` and `retry.delays` → `retryDelaysMs` (reports and notifications). */
export function renamedPath(rest: Path, renamed: Record<string, string>): Path {
  const out: Array<string | number> = [];
  for (let i = 0; i < rest.length; i++) {
    const seg = rest[i]!;
    if (seg === 'retry' && rest[i + 1] === 'delays') {
      out.push('retryDelaysMs');
      i++;
    } else out.push(typeof seg === 'string' && renamed[seg] ? renamed[seg] : seg);
  }
  return out;
}

/** An `email:` mapping as validated → EmailSettings (defaults applied, keys renamed). Notifications use it too. */
export function toEmailSettings(e: z.output<typeof emailSchema>): EmailSettings {
  const s = e.smtp;
  return {
    smtp: {
      host: s.host,
      port: s.port ?? (s.secure ? 465 : 587),
      secure: s.secure,
      requireTls: s.require_tls,
      ...(s.auth ? { auth: { user: s.auth.user, password: s.auth.pass } } : {}),
      tls: { rejectUnauthorized: s.tls.reject_unauthorized, ...(s.tls.servername !== undefined ? { servername: s.tls.servername } : {}) },
    },
    from: e.from,
    to: e.to,
    cc: e.cc,
  };
}
