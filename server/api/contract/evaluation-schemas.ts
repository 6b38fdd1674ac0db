import { z } from 'zod';
import { PILLARS, STATUSES } from '../../scoring/types.js';
import { BURN_WINDOWS } from '../../scoring/burn-rate.js';
import { int, isoTime } from './route.js';
import { NotificationStatusSchema } from './notifications.js';

/** What the evaluation routes answer: indicators → outcomes → pillars, the summary, history (docs/api.md). */

export const StatusSchema = z.enum(STATUSES).meta({ id: 'Status' });
export const PillarIdSchema = z.enum(PILLARS).meta({ id: 'PillarId' });
export const CountsSchema = z.object(Object.fromEntries(STATUSES.map((s) => [s, int()])) as Record<(typeof STATUSES)[number], z.ZodNumber>).meta({ id: 'Counts' });

export const CoverageSchema = z
  .object({ measured: int(), total: int(), measuredWeight: z.number(), totalWeight: z.number() })
  .meta({
    id: 'Coverage',
    description:
      'How much a roll-up score speaks for: indicators with weight > 0 that have a score (measured) of all with weight > 0 (total), and their weights. The score is the weighted mean over the measured ones only; the status judges what is measured (docs/scoring.md, "Coverage").',
  });

const share = (description: string) => z.number().min(0).max(1).nullable().describe(description);

export const PillarSchema = z
  .object({
    id: PillarIdSchema,
    title: z.string(),
    description: z.string().describe('What the pillar covers, in one line (from the Well-Architected pillar definitions).'),
    measured: z.boolean(),
    status: z.enum([...STATUSES, 'not_measured']),
    score: z.number().nullable().describe('Weighted mean over the measured indicators; null when none is measured (then no number is shown at all).'),
    coverage: CoverageSchema.nullable(),
    docs: z.string().describe('Where the docs say what a score covers and what would measure this pillar.'),
    counts: CountsSchema.nullable(),
    indicatorCount: int(),
    measuredWeight: z.number().optional(),
    totalWeight: z.number().optional(),
    reasons: z.array(z.string()).optional(),
  })
  .meta({ id: 'Pillar' });

export const OutcomeSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    owner: z.string().nullable(),
    description: z.string().nullable(),
    status: StatusSchema,
    score: z.number().nullable(),
    attainment: z.number().nullable(),
    coverage: CoverageSchema,
    counts: CountsSchema,
    measuredWeight: z.number(),
    totalWeight: z.number(),
    reasons: z.array(z.string()),
    errorBudget: z
      .object({
        indicator: z.string(),
        budgetRemaining: z.number(),
        windowSeconds: z.number(),
        windowCoverage: share("Share of the SLO window the indicator's stored data covers (see Indicator.windowCoverage)."),
      })
      .nullable()
      .describe('The lowest SLO budget remaining among its indicators: what the error-budget bar shows.'),
    indicators: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        pillar: PillarIdSchema.nullable(),
        weight: z.number(),
        key: z.boolean(),
        status: StatusSchema,
        score: z.number().nullable(),
        cost: z.number().nullable().describe('Points of the outcome score this indicator costs it.'),
        value: z.number().nullable(),
        unit: z.string().nullable(),
        windowSeconds: z.number().nullable().describe("The indicator's window (see Indicator.windowSeconds)."),
        windowCoverage: share('Share of that window covered by stored data (see Indicator.windowCoverage).'),
      }),
    ),
  })
  .meta({ id: 'Outcome' });

const aggregateSource = z.object({ series: z.string(), aggregate: z.string(), windowSeconds: z.number(), combine: z.string().optional() });

export const IndicatorSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    pillar: PillarIdSchema,
    unit: z.string(),
    kind: z.enum(['threshold', 'slo']),
    description: z.string().nullable(),
    runbook: z.string().nullable(),
    weight: z.number(),
    value: z.number().nullable(),
    status: StatusSchema,
    score: z.number().nullable(),
    reason: z.string(),
    since: isoTime().nullable().describe('When it entered its current status.'),
    windowSeconds: z.number().describe('The window the value is computed over (an SLO: its SLO window).'),
    dataSince: isoTime().nullable().describe('Oldest stored sample of any series the indicator reads; null without data.'),
    windowCoverage: share(
      'Share of the window covered by stored data: 0.0006 for a 7-day SLO six minutes after the first sample ("99.2 % over 6 min of 7 d"); 1 once the history is as long as the window.',
    ),
    objective: z
      .object({ target: z.number(), direction: z.enum(['min', 'max']), warning: z.number().optional(), critical: z.number().optional() })
      .nullable(),
    slo: z
      .object({
        objective: z.number(),
        windowMs: z.number(),
        windowSeconds: z.number(),
        errorBudget: z.number(),
        attainment: z.number().nullable(),
        budgetRemaining: z.number().nullable(),
        burnRates: z.record(z.enum(BURN_WINDOWS), z.number().nullable()),
        alertState: z.enum(['ok', 'ticket', 'page']),
        alerts: z.array(
          z.object({
            severity: z.enum(['page', 'ticket']),
            long: z.enum(BURN_WINDOWS),
            short: z.enum(BURN_WINDOWS),
            factor: z.number(),
            longBurnRate: z.number().nullable(),
            shortBurnRate: z.number().nullable(),
            firing: z.boolean(),
          }),
        ),
        events: z.object({ good: z.number(), bad: z.number(), total: z.number() }).nullable(),
        warnings: z.array(z.string()),
      })
      .nullable(),
    source: z
      .union([
        z.object({ kind: z.literal('slo'), success: z.string() }),
        z.object({ kind: z.literal('slo'), good: z.string().nullable(), bad: z.string().nullable(), total: z.string() }),
        aggregateSource.extend({ kind: z.literal('aggregate') }),
        z.object({ kind: z.literal('ratio'), numerator: aggregateSource, denominator: aggregateSource }),
      ])
      .nullable()
      .describe('Where the value comes from, as written in the workload file'),
    collectors: z.array(z.string()),
    series: int().describe('Number of series its selectors matched'),
    outcomes: z.array(z.string()),
  })
  .meta({ id: 'Indicator' });

export const TransitionSchema = z
  .object({ at: isoTime(), from: StatusSchema.nullable(), to: StatusSchema, value: z.number().nullable(), score: z.number().nullable(), reason: z.string() })
  .meta({ id: 'Transition' });

export const ReloadIssueSchema = z.object({
  text: z.string().describe('`file:line:column: path: message`').meta({ example: 'workload.yaml:5:15: collectors[0].interval: invalid duration "5x"' }),
  file: z.string(),
  line: int(),
  column: int(),
  path: z.string(),
  message: z.string(),
});

const reloadShape = {
  lastSuccessful: z
    .boolean()
    .describe('The latest load or reload attempt applied a version or found the file unchanged (as `pillarboard_workload_last_reload_successful`)'),
  lastSuccessAt: isoTime(),
  lastAttemptAt: isoTime(),
  refused: z
    .object({
      at: isoTime(),
      trigger: z.enum(['file', 'signal', 'api']).describe('What asked for the reload: a file change, SIGHUP, POST /api/workload/reload'),
      errorCount: int(),
      issues: z.array(ReloadIssueSchema),
    })
    .nullable(),
};
export const WorkloadReloadSchema = z.object(reloadShape).meta({ id: 'WorkloadReload' });

export const SummarySchema = z
  .object({
    workload: z.object({
      id: z.string(),
      title: z.string(),
      owner: z.string().nullable(),
      description: z.string().nullable(),
      timezone: z
        .string()
        .describe('IANA time zone of the workload (default UTC): the dashboard shows its clock and chart times in it')
        .meta({ example: 'Europe/Berlin' }),
    }),
    status: StatusSchema,
    evaluatedAt: isoTime().nullable(),
    evaluationDurationMs: z.number().nullable(),
    stale: z.boolean().describe('True when the last evaluation is older than three evaluation intervals: the numbers are old.'),
    pillars: z.array(PillarSchema),
    outcomes: z.array(OutcomeSchema),
    indicators: CountsSchema.nullable(),
    collectors: z.object({
      total: int(),
      up: int(),
      failing: z.array(
        z.object({
          id: z.string(),
          type: z.string(),
          error: z.string().nullable(),
          consecutiveFailures: int(),
          lastSuccessAt: isoTime().nullable(),
          feeds: z.array(z.string()).describe('Titles of the indicators this collector feeds: what goes stale if it keeps failing.'),
        }),
      ),
    }),
    workloadFile: z
      .object({ path: z.string(), version: z.object({ id: int(), appliedAt: isoTime() }), ...reloadShape })
      .describe('The running workload version and the latest reloads of the file; `refused.issues` holds the first three issues only (all: GET /api/workload)'),
    notifications: NotificationStatusSchema,
  })
  .meta({ id: 'Summary' });

/** What every `/history` route answers besides its subject. */
export const historyShape = {
  from: isoTime(),
  to: isoTime(),
  stepSeconds: z.number().describe('Bucket width used; finer than asked when the history begins after `from` (points then start at `dataSince`).'),
  dataSince: isoTime()
    .nullable()
    .describe('Oldest stored point of this series (null: none). Later than `from` while the history is younger than the range: the chart starts there ("collecting since …").'),
  source: z.enum(['raw', 'rollup']),
  points: z.array(
    z.tuple([z.number(), z.number().nullable()]).describe('[unixSeconds, value]; value null where it was not a finite number (NaN or ±Inf in the data): a gap in the chart'),
  ),
};
