import { z } from 'zod';
import type { AggregateSource, SelectorSpec, SloEvents, SloSpec } from '../../evaluation/spec.js';
import { AGGREGATIONS, type Aggregation } from '../../scoring/aggregate.js';
import { validateObjective } from '../../scoring/indicator.js';
import { DEFAULT_BUDGET_WARNING_BELOW, validateSlo } from '../../scoring/slo.js';
import { PILLARS, type Objective } from '../../scoring/types.js';
import { docs } from '../doc-meta.js';
import { durationAtLeast, durationSchema } from '../duration.js';
import { closest } from '../../validation/suggest.js';
import { describeValue } from '../../validation/zod-issues.js';
import { fractionSchema, objectiveValueSchema, ratioValueSchema, selectorSchema } from './indicator-values.js';
import { slugSchema } from './shared.js';
import { httpUrl } from '../../../collectors/config-schemas.js';

/**
 * The keys of one `indicators:` entry, each with its default and description (the field
 * reference in docs/workload.md is generated from this). Rules that tie keys together —
 * exactly one of series/ratio/slo, objective or not — live in `indicators.ts`, which runs
 * them on the entry as written so they are reported even when a value is wrong too.
 */

export const COMBINES = ['sum', 'avg', 'min', 'max'] as const;
export type Combine = (typeof COMBINES)[number];

/** How several matched series combine when the file does not say: counts add up, levels average. */
export function defaultCombine(aggregation: Aggregation): Combine {
  return aggregation === 'rate' || aggregation === 'increase' || aggregation === 'sum' || aggregation === 'count' ? 'sum' : 'avg';
}

/** An enum whose error names the value found, suggests a near one, and lists all. */
function choice<const T extends readonly [string, ...string[]]>(values: T, noun: string) {
  return z.enum(values, {
    error: (iss) => {
      const list = values.join(', ');
      if (typeof iss.input !== 'string') return `expected ${noun}, one of: ${list}; found ${describeValue(iss.input)}`;
      const near = closest(iss.input, values);
      return `unknown ${noun} "${iss.input}"; ${near ? `did you mean "${near}"? Expected` : 'expected'} one of: ${list}`;
    },
  });
}

const nonEmpty = z.string().trim().min(1, { message: 'must not be empty' });

const weightSchema = z.number().min(0, { message: 'must be 0 or more' }).register(docs, { type: 'number ≥ 0' });

const httpUrlSchema = httpUrl.register(docs, { type: 'http(s) URL' });

const aggregationSchema = choice(AGGREGATIONS, 'aggregation')
  .default('last')
  .register(docs, { type: AGGREGATIONS.join(' | ') });

const windowSchema = durationAtLeast(1).prefault('5m');

const combineSchema = choice(COMBINES, 'combine')
  .optional()
  .register(docs, { type: COMBINES.join(' | '), default: '`sum` for rate, increase, sum and count; `avg` otherwise' });

/** `series` + `aggregate` + `window` + `combine`, as a ratio side (where `series` is required). */
export const aggregateSourceSchema = z
  .strictObject({
    series: selectorSchema.describe('The series to aggregate, as a selector such as `http_requests_total{code=~"5.."}`.'),
    aggregate: aggregationSchema.describe('How the samples of each series in the window become one number.'),
    window: windowSchema.describe('How far back the aggregation looks.'),
    combine: combineSchema.describe('How the values of several matched series combine into one.'),
  })
  .transform(
    (s): AggregateSource => ({
      kind: 'aggregate',
      series: s.series,
      aggregation: s.aggregate,
      windowMs: s.window,
      combine: s.combine ?? defaultCombine(s.aggregate),
    }),
  );

const ratioSchema = z
  .strictObject({
    numerator: aggregateSourceSchema.describe('The top of the fraction: `series`, with optional `aggregate`, `window`, `combine`.'),
    denominator: aggregateSourceSchema.describe('The bottom of the fraction; a value of 0 makes the indicator no_data.'),
  })
  .describe('The value is numerator / denominator, each aggregated on its own.');

const SLO_DEFAULT_WINDOW = '28d';
const SLO_EVENTS = '`good` or `bad` with `total`, or `success` alone';

const sloSchema = z
  .strictObject({
    good: selectorSchema.optional().describe('Counter of good events.').register(docs, { default: SLO_EVENTS }),
    bad: selectorSchema
      .optional()
      .describe('Counter of bad events; a `bad` series that does not exist yet counts 0 (error counters often appear at the first error).')
      .register(docs, { default: SLO_EVENTS }),
    total: selectorSchema.optional().describe('Counter of all events.').register(docs, { default: 'required with `good` or `bad`' }),
    success: selectorSchema
      .optional()
      .describe('Instead of counters: a probe-style series (e.g. `probe_success`) in which every sample is one event, good when its value is above 0.')
      .register(docs, { default: SLO_EVENTS }),
    objective: ratioValueSchema.describe('Share of events that must be good, above 0% and below 100%: `99.9%` or `0.999`.'),
    window: durationSchema.prefault(SLO_DEFAULT_WINDOW).describe('The rolling window the objective holds over.'),
    budget_warning_below: fractionSchema
      .prefault(`${DEFAULT_BUDGET_WARNING_BELOW * 100}%`)
      .describe('The SLO is a warning when less than this share of the error budget remains.'),
  })
  .transform((s, ctx): SloSpec => {
    for (const problem of validateSlo({ objective: s.objective, windowMs: s.window })) {
      ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
    }
    const events = sloEvents(s);
    // An impossible combination of event keys is reported on the entry as written (indicators.ts).
    if (!events) return z.NEVER;
    return { events, objective: s.objective, windowMs: s.window, budgetWarningBelow: s.budget_warning_below };
  })
  .describe('An SLO: good events over all events in a rolling window, with an error budget.');

function sloEvents(s: { good?: SelectorSpec; bad?: SelectorSpec; total?: SelectorSpec; success?: SelectorSpec }): SloEvents | undefined {
  if (s.success) return s.good || s.bad || s.total ? undefined : { kind: 'probes', success: s.success };
  if (!s.total || (s.good === undefined) === (s.bad === undefined)) return undefined;
  return s.good ? { kind: 'counters', good: s.good, total: s.total } : { kind: 'counters', bad: s.bad, total: s.total };
}

const objectiveSchema = z
  .strictObject(
    {
      max: objectiveValueSchema
        .optional()
        .describe('Lower is better: the target the value must stay at or below.')
        .register(docs, { default: 'exactly one of `max`, `min`' }),
      min: objectiveValueSchema
        .optional()
        .describe('Higher is better: the target the value must stay at or above.')
        .register(docs, { default: 'exactly one of `max`, `min`' }),
      warning: objectiveValueSchema
        .optional()
        .describe('From this value on the indicator is a warning; on the bad side of the target.')
        .register(docs, { default: 'the target (any miss is a warning)' }),
      critical: objectiveValueSchema
        .optional()
        .describe('From this value on the indicator is critical; beyond `warning`.')
        .register(docs, { default: 'never critical' }),
    },
    {
      error: (iss) =>
        iss.code === 'invalid_type' && iss.input !== undefined
          ? `expected a mapping such as { max: 0.3 } (lower is better) or { min: 0.99 } (higher is better), found ${describeValue(iss.input)}`
          : undefined,
    },
  )
  .transform((o, ctx): Objective => {
    // Exactly one of max/min is reported on the entry as written (indicators.ts); without it there is nothing to order.
    if ((o.max === undefined) === (o.min === undefined)) return z.NEVER;
    const key = o.max !== undefined ? 'max' : 'min';
    const objective: Objective = {
      target: (o.max ?? o.min) as number,
      direction: key,
      ...(o.warning !== undefined && { warning: o.warning }),
      ...(o.critical !== undefined && { critical: o.critical }),
    };
    for (const problem of validateObjective(objective)) {
      const field = problem.field === 'target' || problem.field === 'direction' ? key : problem.field;
      ctx.addIssue({ code: 'custom', path: [field], message: problem.message });
    }
    return objective;
  })
  .describe("What good means, in the indicator's unit: `max` or `min` (the target), optional `warning` and `critical`.");

export const indicatorFields = z.strictObject({
  id: slugSchema.describe('Unique among indicators; outcomes refer to it, and it names the indicator in the API and metrics.'),
  title: nonEmpty.describe('Human-readable name on the dashboard and in reports.'),
  pillar: choice(PILLARS, 'pillar').describe('The Well-Architected pillar whose health it counts towards.').register(docs, { type: PILLARS.join(' | ') }),
  unit: nonEmpty
    .optional()
    .describe('Unit of the value, free text: seconds, ratio, percent, requests/s, bytes, days… Objective bounds are in this unit.')
    .register(docs, { default: '`ratio` for `ratio` and `slo`; required with `series`' }),
  description: z.string().optional().describe('Free text: what it measures and why it matters.'),
  runbook: httpUrlSchema.optional().describe('Where to read what to do when it is not ok.'),
  weight: weightSchema.default(1).describe("Weight in its pillar's health, 0 or more; 0 shows it without counting it."),
  collector: z
    .string()
    .optional()
    .describe('Id of the collector in this file that feeds it; its failures make the indicator stale.')
    .register(docs, { default: 'the `collector` label of the matched samples' }),
  series: selectorSchema
    .optional()
    .describe('The series whose samples give the value, as a PromQL-style selector.')
    .register(docs, { default: 'exactly one of `series`, `ratio`, `slo`' }),
  aggregate: aggregationSchema.describe('With `series`: how the samples of each matched series in the window become one number.'),
  window: windowSchema.describe('With `series`: how far back the aggregation looks.'),
  combine: combineSchema.describe('With `series`: how the values of several matched series combine into one.'),
  ratio: ratioSchema.optional().register(docs, { default: 'exactly one of `series`, `ratio`, `slo`' }),
  slo: sloSchema.optional().register(docs, { default: 'exactly one of `series`, `ratio`, `slo`' }),
  objective: objectiveSchema.optional().register(docs, { default: 'required with `series` and `ratio`; not allowed with `slo`' }),
});

export type IndicatorFields = z.output<typeof indicatorFields>;
