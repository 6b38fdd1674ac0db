import { z } from 'zod';
import { int, isoTime, json, problem, problems, route, type RouteSpec } from './route.js';

/** Weekly reports: the archive, the week in progress and on-demand runs (routes/reports.ts; docs/reports.md). */

const linksSchema = z.object({ self: z.string(), json: z.string(), md: z.string(), html: z.string(), pdf: z.string(), pdfStored: z.boolean() });
const trigger = z.enum(['schedule', 'catch-up', 'api', 'cli']);
const metaShape = {
  week: z.string(),
  timezone: z.string(),
  from: isoTime(),
  to: isoTime(),
  generatedAt: isoTime(),
  trigger,
  warnings: z.array(z.string()),
  links: linksSchema,
};

/** Any JSON object, typed as unknown so the report's interfaces (which have no index signature) fit. */
const part = () => z.unknown().meta({ type: 'object' });

/** The report itself (schema version 1): its top-level parts; docs/reports.md describes each. */
export const ReportDataSchema = z
  .object({
    schemaVersion: z.literal(1),
    week: z.string(),
    previousWeek: z.string(),
    timezone: z.string(),
    from: isoTime(),
    to: isoTime(),
    hours: z.number(),
    days: z.array(z.string()),
    generatedAt: isoTime(),
    partial: z.boolean().optional(),
    asOf: isoTime().nullable().optional(),
    workload: z.object({ id: z.string(), title: z.string(), owner: z.string().nullable() }),
    summary: z.object({ outcomes: int(), met: int(), atRisk: int(), missed: int(), noData: int() }),
    // The parts below are the report's own interfaces (server/reports/types.ts), described in
    // docs/reports.md; an object each, not spelled out field by field here.
    outcomes: z.array(part()),
    pillars: z.array(part()),
    operations: part(),
    highlights: part(),
    dataQuality: part(),
    review: part().nullable().optional().describe('The Well-Architected review over the week; null when none is configured; absent in reports archived before it existed'),
  })
  .meta({ id: 'ReportData' });
export type ReportData = z.output<typeof ReportDataSchema>;

export const ArchivedReportSchema = z.object({
  ...metaShape,
  deliveries: z.array(z.object({ channel: z.string(), attempt: int(), at: isoTime(), ok: z.boolean(), error: z.string().nullable() })),
  data: ReportDataSchema,
});

export const CurrentReportSchema = z.object({
  week: z.string(),
  timezone: z.string(),
  from: isoTime(),
  to: isoTime(),
  partial: z.literal(true),
  asOf: isoTime(),
  title: z.string().meta({ examples: ['Web shop — Week 49, 2026 — so far (to Mon 7 Dec 15:00)'] }),
  headline: z.string().meta({ examples: ['2 of 3 outcomes met, 1 at risk'] }),
  generatedAt: isoTime(),
  archived: z.literal(false),
  warnings: z.array(z.string()),
  links: linksSchema,
  data: ReportDataSchema.describe('The report (schema version 1) with `partial: true` and `asOf`'),
});

export const ReportListSchema = z.object({
  schedule: z.object({
    enabled: z.boolean(),
    cron: z.string().nullable(),
    timezone: z.string().nullable(),
    nextRunAt: isoTime().nullable(),
    lastWeek: z.string().nullable(),
    lastRunAt: isoTime().nullable(),
  }),
  reports: z.array(
    z.object({
      ...metaShape,
      deliveries: z.array(
        z.object({ channel: z.string(), ok: z.boolean(), attempts: int(), lastAttemptAt: isoTime().nullable(), lastError: z.string().nullable() }),
      ),
    }),
  ),
});

export const ReportRunAnswerSchema = z.object({
  week: z.string(),
  generatedAt: isoTime(),
  trigger: trigger.describe('`api`: this request'),
  warnings: z.array(z.string()),
  summary: ReportDataSchema.shape.summary,
  delivery: z.enum(['started', 'no channels', 'not requested']),
  links: linksSchema,
});

const tag = 'reports';

export const reportRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/reports',
    summary: "The report archive, newest week first, with the schedule and each channel's delivery state",
    tag,
    scope: 'read',
    responses: {
      200: json(ReportListSchema),
      503: problem('Reports are not wired in this server.'),
    },
  }),
  route({
    method: 'get',
    path: '/api/reports/{week}',
    summary:
      'One archived week. `{week}` alone (`2026-W47`) answers JSON: metadata, every delivery attempt and the report data (schema version 1). ' +
      'With a suffix it answers that rendering: `.json` (the data), `.md`, `.html` (self-contained) or `.pdf` (rendered on demand if not stored). ' +
      '`current` is the week in progress, built on each request and never archived: `partial: true`, `asOf` (where its figures end) and `archived: false`, ' +
      'with the same suffixes; every rendering is titled "Week 49, 2026 — so far (to Mon 7 Dec 15:00)".',
    tag,
    scope: 'read',
    params: z.object({
      week: z
        .string()
        .regex(/^(\d{4}-W\d{2}|current)(\.(json|md|html|pdf))?$/, { message: 'must be an ISO week such as 2026-W47, or current, optionally with .json, .md, .html or .pdf' })
        .describe('ISO week, or `current` for the week so far, optionally with `.json`, `.md`, `.html` or `.pdf`')
        .meta({ examples: ['2026-W47', '2026-W47.pdf', 'current', 'current.html'] }),
    }),
    query: z.object({ paper: z.enum(['A4', 'Letter']).optional().describe("PDF paper size (default: the workload's `reports.weekly.paper`)") }),
    responses: {
      200: {
        description: 'The report or its rendering',
        content: {
          'application/json': z.union([ArchivedReportSchema, CurrentReportSchema, ReportDataSchema]),
          'text/markdown': z.string(),
          'text/html': z.string(),
          'application/pdf': z.string().meta({ format: 'binary' }),
        },
      },
      ...problems(400, 404),
      503: problem('PDF asked for and Chromium is not installed (the detail says how to install it or which path to set), or reports are not wired.'),
    },
  }),
  route({
    method: 'post',
    path: '/api/reports/run',
    summary:
      "Generate (or regenerate) a complete week's report now and archive it; with `send`, deliver it through the configured channels as the schedule would (admin). " +
      '`week: "current"` is refused (400 naming `week`): the week in progress is shown by GET /api/reports/current, never archived or sent.',
    tag,
    scope: 'admin',
    body: {
      required: false,
      content: {
        'application/json': z.strictObject({
          week: z
            .string()
            .regex(/^(\d{4}-W\d{2}|current)$/, { message: 'not an ISO week; write it as YYYY-Www, e.g. 2026-W47' })
            .optional()
            .describe('A complete ISO week (default: the last one); `current` is refused')
            .meta({ examples: ['2026-W47'] }),
          send: z.boolean().optional(),
        }),
      },
    },
    responses: {
      201: json(
        ReportRunAnswerSchema,
        'Generated and archived',
      ),
      ...problems(400),
      503: problem('No workload loaded yet.'),
    },
  }),
];
