import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndicatorSpec, OutcomeSpec } from '../server/evaluation/spec.js';
import { formatIssue, loadWorkloadText, redactWorkload, REDACTED, toWorkloadPath, type LoadResult, type WorkloadIssue } from '../server/workload/index.js';
import { lines, testRegistry } from './workload-helpers.js';

const registry = testRegistry();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Lines 1–4; the first indicator starts on line 5. */
const HEAD = ['workload: { id: shop, title: Shop }', 'collectors:', '  - { id: prom, type: dummy, url: "http://prom" }', 'indicators:'];

function load(text: string, env: Record<string, string> = {}): LoadResult {
  return loadWorkloadText(text, { file: 'w.yaml', registry, env });
}

function ok(r: LoadResult): Extract<LoadResult, { ok: true }> {
  if (!r.ok) assert.fail(`expected a valid file, got:\n${r.errors.map(formatIssue).join('\n')}`);
  return r;
}

function issuesOf(text: string): WorkloadIssue[] {
  const r = load(text);
  assert.equal(r.ok, false, 'expected the file to be invalid');
  return r.ok ? [] : r.errors;
}

const sel = (text: string, name: string | undefined, ...matchers: Array<[string, '=' | '!=' | '=~' | '!~', string]>) => ({
  text,
  selector: { ...(name !== undefined && { name }), matchers: matchers.map(([label, op, value]) => ({ label, op, value })) },
});

test('a valid file gives the spec types, with defaults, percentages, durations as seconds and shorthand refs', () => {
  const text = lines(
    ...HEAD,
    '  - id: checkout_latency_p95',
    '    title: "Checkout p95 latency"',
    '    pillar: performance_efficiency',
    '    unit: seconds',
    '    description: Time to the first byte',
    '    runbook: https://wiki.example/runbooks/checkout',
    '    collector: prom',
    '    series: \'probe_duration_seconds{target="https://shop.example/health"}\'',
    '    aggregate: p95',
    '    window: 1h',
    '    objective: { max: 300ms, warning: 0.5, critical: 1s }',
    '  - id: requests',
    '    title: Requests per second',
    '    pillar: performance_efficiency',
    '    unit: requests/s',
    '    weight: 0',
    '    series: http_requests_total',
    '    aggregate: rate',
    '    objective: { min: 10 }',
    '  - id: error_ratio',
    '    title: Checkout error ratio',
    '    pillar: reliability',
    '    ratio:',
    '      numerator: { series: \'http_requests_total{code=~"5.."}\', aggregate: increase, window: 1h }',
    '      denominator: { series: http_requests_total, aggregate: increase, window: 1h, combine: max }',
    '    objective: { max: 1%, warning: "2%", critical: 0.05 }',
    '  - id: checkout_availability',
    '    title: Checkout availability',
    '    pillar: reliability',
    '    weight: 2.5',
    '    slo:',
    '      good: \'http_requests_total{route="/checkout",code!~"5.."}\'',
    '      total: \'http_requests_total{route="/checkout"}\'',
    '      objective: 99.9%',
    '  - id: healthz',
    '    title: Health check',
    '    pillar: reliability',
    '    unit: probes',
    '    slo: { success: probe_success, objective: 0.995, window: 7d, budget_warning_below: 10% }',
    '  - id: errors_bad',
    '    title: Errors',
    '    pillar: security',
    '    slo: { bad: \'http_requests_total{code="401"}\', total: http_requests_total, objective: "99%" }',
    'outcomes:',
    '  - id: customers_can_buy',
    '    title: Customers can complete checkout',
    '    owner: payments',
    '    description: The money path',
    '    indicators:',
    '      - { ref: checkout_availability, weight: 3, key: true }',
    '      - checkout_latency_p95',
    '      - { ref: error_ratio }',
    '  - id: minimal',
    '    title: Minimal',
    '    indicators: [healthz]',
  );
  const w = ok(load(text)).workload;

  const latency = sel('probe_duration_seconds{target="https://shop.example/health"}', 'probe_duration_seconds', ['target', '=', 'https://shop.example/health']);
  const requests = sel('http_requests_total', 'http_requests_total');
  const expected: IndicatorSpec[] = [
    {
      id: 'checkout_latency_p95',
      title: 'Checkout p95 latency',
      pillar: 'performance_efficiency',
      unit: 'seconds',
      description: 'Time to the first byte',
      runbook: 'https://wiki.example/runbooks/checkout',
      weight: 1,
      collector: 'prom',
      kind: 'threshold',
      source: { kind: 'aggregate', series: latency, aggregation: 'p95', windowMs: HOUR, combine: 'avg' },
      objective: { target: 0.3, direction: 'max', warning: 0.5, critical: 1 },
    },
    {
      id: 'requests',
      title: 'Requests per second',
      pillar: 'performance_efficiency',
      unit: 'requests/s',
      weight: 0,
      kind: 'threshold',
      source: { kind: 'aggregate', series: requests, aggregation: 'rate', windowMs: 5 * 60_000, combine: 'sum' },
      objective: { target: 10, direction: 'min' },
    },
    {
      id: 'error_ratio',
      title: 'Checkout error ratio',
      pillar: 'reliability',
      unit: 'ratio',
      weight: 1,
      kind: 'threshold',
      source: {
        kind: 'ratio',
        numerator: {
          kind: 'aggregate',
          series: sel('http_requests_total{code=~"5.."}', 'http_requests_total', ['code', '=~', '5..']),
          aggregation: 'increase',
          windowMs: HOUR,
          combine: 'sum',
        },
        denominator: { kind: 'aggregate', series: requests, aggregation: 'increase', windowMs: HOUR, combine: 'max' },
      },
      objective: { target: 0.01, direction: 'max', warning: 0.02, critical: 0.05 },
    },
    {
      id: 'checkout_availability',
      title: 'Checkout availability',
      pillar: 'reliability',
      unit: 'ratio',
      weight: 2.5,
      kind: 'slo',
      slo: {
        events: {
          kind: 'counters',
          good: sel('http_requests_total{route="/checkout",code!~"5.."}', 'http_requests_total', ['route', '=', '/checkout'], ['code', '!~', '5..']),
          total: sel('http_requests_total{route="/checkout"}', 'http_requests_total', ['route', '=', '/checkout']),
        },
        objective: 0.999,
        windowMs: 28 * DAY,
        budgetWarningBelow: 0.25,
      },
    },
    {
      id: 'healthz',
      title: 'Health check',
      pillar: 'reliability',
      unit: 'probes',
      weight: 1,
      kind: 'slo',
      slo: { events: { kind: 'probes', success: sel('probe_success', 'probe_success') }, objective: 0.995, windowMs: 7 * DAY, budgetWarningBelow: 0.1 },
    },
    {
      id: 'errors_bad',
      title: 'Errors',
      pillar: 'security',
      unit: 'ratio',
      weight: 1,
      kind: 'slo',
      slo: {
        events: { kind: 'counters', bad: sel('http_requests_total{code="401"}', 'http_requests_total', ['code', '=', '401']), total: requests },
        objective: 0.99,
        windowMs: 28 * DAY,
        budgetWarningBelow: 0.25,
      },
    },
  ];
  assert.deepEqual(w.indicators, expected);

  const outcomes: OutcomeSpec[] = [
    {
      id: 'customers_can_buy',
      title: 'Customers can complete checkout',
      owner: 'payments',
      description: 'The money path',
      indicators: [
        { ref: 'checkout_availability', weight: 3, key: true },
        { ref: 'checkout_latency_p95', weight: 1, key: false },
        { ref: 'error_ratio', weight: 1, key: false },
      ],
    },
    { id: 'minimal', title: 'Minimal', indicators: [{ ref: 'healthz', weight: 1, key: false }] },
  ];
  assert.deepEqual(w.outcomes, outcomes);
  assert.deepEqual(w.evaluation, { intervalMs: 60_000, staleAfterFailures: 3 });
});

test('the evaluation section sets the interval and the staleness threshold', () => {
  const w = ok(load(lines(...HEAD.slice(0, 3), 'evaluation: { interval: 5m, stale_after_failures: 5 }'))).workload;
  assert.deepEqual(w.evaluation, { intervalMs: 5 * 60_000, staleAfterFailures: 5 });
  assert.deepEqual(w.indicators, []);
  assert.deepEqual(w.outcomes, []);
});

test('objective bounds read percentages and durations in seconds, keeping decimal values exact', () => {
  const text = lines(
    ...HEAD,
    '  - { id: a, title: A, pillar: security, unit: ratio, series: up, objective: { min: 99.9%, warning: "99.5%", critical: 12.3% } }',
    '  - { id: b, title: B, pillar: security, unit: seconds, series: up, objective: { max: 250ms, warning: 2s, critical: 1m } }',
    '  - { id: c, title: C, pillar: security, unit: degrees, series: up, objective: { max: -5, warning: 0 } }',
  );
  const objectives = ok(load(text)).workload.indicators.map((i) => (i.kind === 'threshold' ? i.objective : undefined));
  assert.deepEqual(objectives, [
    { target: 0.999, direction: 'min', warning: 0.995, critical: 0.123 },
    { target: 0.25, direction: 'max', warning: 2, critical: 60 },
    { target: -5, direction: 'max', warning: 0 },
  ]);
});

interface Case {
  name: string;
  /** Lines after HEAD: the first is line 5. */
  body: string[];
  at: string;
  message: RegExp;
}

/** A valid indicator to sit beside the one under test (line 5 when first). */
const LATENCY = '  - { id: latency, title: Latency, pillar: performance_efficiency, unit: seconds, series: probe_duration_seconds, objective: { max: 0.3 } }';

const cases: Case[] = [
  {
    name: 'an indicator with both series and ratio is reported at the second source key',
    body: [
      '  - id: a',
      '    title: A',
      '    pillar: reliability',
      '    unit: ratio',
      '    series: up',
      '    ratio: { numerator: { series: x }, denominator: { series: y } }',
      '    objective: { max: 1 }',
    ],
    at: '10:5 indicators[0].ratio',
    message: /^"ratio" cannot be used with "series": an indicator takes exactly one of series:, ratio: or slo:$/,
  },
  {
    name: 'an indicator with series and slo is reported at slo',
    body: ['  - id: a', '    title: A', '    pillar: reliability', '    unit: s', '    series: up', '    slo: { success: up, objective: 99% }'],
    at: '10:5 indicators[0].slo',
    message: /"slo" cannot be used with "series"/,
  },
  {
    name: 'an indicator without a source is reported at the entry',
    body: ['  - id: a', '    title: A', '    pillar: reliability', '    unit: s', '    objective: { max: 1 }'],
    at: '5:5 indicators[0]',
    message: /^missing the source: give exactly one of series: .*, ratio: .* or slo:/,
  },
  {
    name: 'an objective on an slo indicator is reported at the objective key',
    body: ['  - id: a', '    title: A', '    pillar: reliability', '    slo: { success: probe_success, objective: 99.5% }', '    objective: { min: 0.99 }'],
    at: '9:5 indicators[0].objective',
    message: /^an slo indicator takes no objective: its target is slo\.objective/,
  },
  {
    name: 'a series indicator without an objective is reported at the entry, naming the key',
    body: ['  - id: a', '    title: A', '    pillar: reliability', '    unit: s', '    series: up'],
    at: '5:5 indicators[0].objective',
    message: /^missing required key "objective" \(max: or min:, with optional warning: and critical:\)/,
  },
  {
    name: 'a ratio indicator without an objective is reported too',
    body: ['  - { id: a, title: A, pillar: reliability, ratio: { numerator: { series: x }, denominator: { series: y } } }'],
    at: '5:5 indicators[0].objective',
    message: /missing required key "objective" .* for a ratio indicator/,
  },
  {
    name: 'a series indicator without a unit is reported at the entry',
    body: ['  - { id: a, title: A, pillar: reliability, series: up, objective: { max: 1 } }'],
    at: '5:5 indicators[0].unit',
    message: /^missing required key "unit"/,
  },
  {
    name: 'a selector syntax error is reported at the selector with the position inside it',
    body: ['  - id: a', '    title: A', '    pillar: reliability', '    unit: s', '    series: \'up{job="x" instance="y"}\'', '    objective: { max: 1 }'],
    at: '9:13 indicators[0].series',
    message: /^invalid selector: expected ',' or '}' at position 12 \(found 'i'\)$/,
  },
  {
    name: 'a selector inside a ratio is parsed too',
    body: [
      '  - id: a',
      '    title: A',
      '    pillar: reliability',
      '    ratio:',
      '      numerator: { series: x }',
      '      denominator: { series: "{job=~\\"(\\"}" }',
      '    objective: { max: 1 }',
    ],
    at: '10:30 indicators[0].ratio.denominator.series',
    message: /^invalid selector: invalid regular expression for label 'job' at position 7/,
  },
  {
    name: 'a warning bound on the good side of a max target is reported at warning',
    body: ['  - id: a', '    title: A', '    pillar: reliability', '    unit: s', '    series: up', '    objective: { max: 0.5, warning: 0.3 }'],
    at: '10:37 indicators[0].objective.warning',
    message: /^warning 0\.3 is on the good side of the target 0\.5; lower is better \(direction max\), so target ≤ warning ≤ critical$/,
  },
  {
    name: 'a critical bound above the warning of a min target is reported at critical',
    body: ['  - { id: a, title: A, pillar: reliability, unit: ratio, series: up, objective: { min: 99%, warning: 95%, critical: 97% } }'],
    at: '5:117 indicators[0].objective.critical',
    message: /^critical 0\.97 is on the good side of the warning bound 0\.95; higher is better \(direction min\), so target ≥ warning ≥ critical$/,
  },
  {
    name: 'an objective with both max and min is reported at min',
    body: ['  - { id: a, title: A, pillar: reliability, unit: s, series: up, objective: { max: 1, min: 0 } }'],
    at: '5:87 indicators[0].objective.min',
    message: /^give max: \(lower is better\) or min: \(higher is better\), not both$/,
  },
  {
    name: 'an objective without max or min is reported at the objective',
    body: ['  - { id: a, title: A, pillar: reliability, unit: s, series: up, objective: { warning: 1 } }'],
    at: '5:77 indicators[0].objective',
    message: /^missing the target: give max: \(lower is better\) or min: \(higher is better\)$/,
  },
  {
    name: 'an objective written as a bare number shows the mapping it needs',
    body: ['  - { id: a, title: A, pillar: reliability, unit: s, series: up, objective: 0.3 }'],
    at: '5:77 indicators[0].objective',
    message: /^expected a mapping such as \{ max: 0\.3 \} \(lower is better\) or \{ min: 0\.99 \} \(higher is better\), found the number 0\.3$/,
  },
  {
    name: 'an objective value that is not a number, percentage or duration is reported at the value',
    body: ['  - { id: a, title: A, pillar: reliability, unit: s, series: up, objective: { max: fast } }'],
    at: '5:84 indicators[0].objective.max',
    message: /^expected a number, a percentage like "5%" or a duration like "300ms" \(read as seconds\), found the string "fast"$/,
  },
  {
    name: 'a fractional duration in an objective gets the duration rules',
    body: ['  - { id: a, title: A, pillar: reliability, unit: s, series: up, objective: { max: 0.3s } }'],
    at: '5:84 indicators[0].objective.max',
    message: /^"0\.3s" is not a duration; .*; objective durations are read as seconds$/,
  },
  {
    name: 'an unknown pillar lists the six pillars with a suggestion',
    body: ['  - id: a', '    title: A', '    pillar: reliabilty', '    unit: s', '    series: up', '    objective: { max: 1 }'],
    at: '7:13 indicators[0].pillar',
    message:
      /^unknown pillar "reliabilty"; did you mean "reliability"\? Expected one of: operational_excellence, security, reliability, performance_efficiency, cost_optimization, sustainability$/,
  },
  {
    name: 'an unknown pillar without a near match lists the six',
    body: ['  - { id: a, title: A, pillar: speed, unit: s, series: up, objective: { max: 1 } }'],
    at: '5:32 indicators[0].pillar',
    message: /^unknown pillar "speed"; expected one of: operational_excellence, security, /,
  },
  {
    name: 'an unknown aggregate lists the aggregations',
    body: ['  - id: a', '    title: A', '    pillar: reliability', '    unit: s', '    series: up', '    aggregate: p97', '    objective: { max: 1 }'],
    at: '10:16 indicators[0].aggregate',
    message: /^unknown aggregation "p97"; did you mean "p90"\? Expected one of: last, avg, min, max, sum, count, p50, p90, p95, p99, increase, rate$/,
  },
  {
    name: 'an unknown combine lists the choices',
    body: ['  - { id: a, title: A, pillar: reliability, unit: s, series: up, combine: median, objective: { max: 1 } }'],
    at: '5:75 indicators[0].combine',
    message: /^unknown combine "median"; expected one of: sum, avg, min, max$/,
  },
  {
    name: 'aggregate beside a ratio is reported at the key, pointing into the ratio',
    body: [
      '  - id: a',
      '    title: A',
      '    pillar: reliability',
      '    ratio: { numerator: { series: x }, denominator: { series: y } }',
      '    window: 1h',
      '    objective: { max: 1 }',
    ],
    at: '9:5 indicators[0].window',
    message: /^"window" goes with series: only; for a ratio, set aggregate, window and combine inside ratio\.numerator and ratio\.denominator$/,
  },
  {
    name: 'aggregate on an slo indicator is reported at the key',
    body: ['  - { id: a, title: A, pillar: reliability, aggregate: avg, slo: { success: up, objective: 99% } }'],
    at: '5:45 indicators[0].aggregate',
    message: /^"aggregate" goes with series: only; an SLO counts events over slo\.window$/,
  },
  {
    name: 'an slo with both good and bad is reported at bad',
    body: ['  - id: a', '    title: A', '    pillar: reliability', '    slo:', '      good: ok_total', '      bad: err_total', '      total: all_total', '      objective: 99%'],
    at: '10:7 indicators[0].slo.bad',
    message: /^give good: or bad:, not both; the other is total minus it$/,
  },
  {
    name: 'an slo with success and total is reported at total',
    body: ['  - { id: a, title: A, pillar: reliability, slo: { success: probe_success, total: all, objective: 99% } }'],
    at: '5:76 indicators[0].slo.total',
    message: /^"total" cannot be used with "success"/,
  },
  {
    name: 'an slo with good but no total points at the slo, naming total',
    body: ['  - { id: a, title: A, pillar: reliability, slo: { good: ok_total, objective: 99% } }'],
    at: '5:50 indicators[0].slo.total',
    message: /^missing required key "total"/,
  },
  {
    name: 'an slo without events is reported at the slo',
    body: ['  - { id: a, title: A, pillar: reliability, slo: { objective: 99% } }'],
    at: '5:50 indicators[0].slo',
    message: /^missing the events: give good: or bad: with total: \(counters\), or success: \(a probe series\)$/,
  },
  {
    name: 'an slo objective of 100% is refused: there is no error budget',
    body: ['  - id: a', '    title: A', '    pillar: reliability', '    slo:', '      success: probe_success', '      objective: 100%'],
    at: '10:18 indicators[0].slo.objective',
    message: /^objective must be above 0% and below 100%, got 100%; 100% leaves no error budget to measure against$/,
  },
  {
    name: 'an slo objective of 1 is refused like 100%',
    body: ['  - { id: a, title: A, pillar: reliability, slo: { success: up, objective: 1 } }'],
    at: '5:76 indicators[0].slo.objective',
    message: /^objective must be above 0% and below 100%/,
  },
  {
    name: 'an slo objective that is not a percentage says what is expected',
    body: ['  - { id: a, title: A, pillar: reliability, slo: { success: up, objective: high } }'],
    at: '5:76 indicators[0].slo.objective',
    message: /^expected a percentage like "99\.9%" or a number like 0\.999, found the string "high"$/,
  },
  {
    name: 'a budget warning share above 100% is refused',
    body: ['  - { id: a, title: A, pillar: reliability, slo: { success: up, objective: 99%, budget_warning_below: 120% } }'],
    at: '5:103 indicators[0].slo.budget_warning_below',
    message: /^must be between 0% and 100% \(0 and 1\)$/,
  },
  {
    name: 'a misspelt key in an slo gets a suggestion',
    body: ['  - { id: a, title: A, pillar: reliability, slo: { success: up, objective: 99%, windw: 7d } }'],
    at: '5:81 indicators[0].slo.windw',
    message: /^unknown key "windw"; did you mean "window"\?$/,
  },
  {
    name: 'a misspelt indicator key gets a suggestion',
    body: ['  - { id: a, title: A, pillar: reliability, unit: s, series: up, windw: 1h, objective: { max: 1 } }'],
    at: '5:66 indicators[0].windw',
    message: /^unknown key "windw"; did you mean "window"\?$/,
  },
  {
    name: 'a runbook that is not an http(s) URL is refused',
    body: ['  - { id: a, title: A, pillar: reliability, unit: s, runbook: "ftp://wiki", series: up, objective: { max: 1 } }'],
    at: '5:63 indicators[0].runbook',
    message: /^must be an absolute http:\/\/ or https:\/\/ URL \(at most 2048 characters\)$/,
  },
  {
    name: 'a negative weight is refused',
    body: ['  - { id: a, title: A, pillar: reliability, unit: s, weight: -1, series: up, objective: { max: 1 } }'],
    at: '5:62 indicators[0].weight',
    message: /^must be 0 or more$/,
  },
  {
    name: 'an unknown collector is reported at collector with a suggestion',
    body: ['  - id: a', '    title: A', '    pillar: reliability', '    unit: s', '    collector: promm', '    series: up', '    objective: { max: 1 }'],
    at: '9:16 indicators[0].collector',
    message: /^unknown collector "promm"; did you mean "prom"\?$/,
  },
  {
    name: 'an unknown collector without a near match lists the collectors',
    body: ['  - { id: a, title: A, pillar: reliability, unit: s, collector: node, series: up, objective: { max: 1 } }'],
    at: '5:65 indicators[0].collector',
    message: /^unknown collector "node"; collectors in this file: prom$/,
  },
  {
    name: 'a duplicate indicator id is reported at the second, pointing back at the first',
    body: [LATENCY, '  - { id: latency, title: Again, pillar: reliability, slo: { success: up, objective: 99% } }'],
    at: '6:11 indicators[1].id',
    message: /^duplicate indicator id "latency" \(first defined at 5:11\)$/,
  },
  {
    name: 'a duplicate outcome id is reported at the second',
    body: [LATENCY, 'outcomes:', '  - { id: o, title: O, indicators: [latency] }', '  - { id: o, title: P, indicators: [latency] }'],
    at: '8:11 outcomes[1].id',
    message: /^duplicate outcome id "o" \(first defined at 7:11\)$/,
  },
  {
    name: 'an outcome with an empty indicator list is refused at the list',
    body: [LATENCY, 'outcomes:', '  - id: o', '    title: O', '    indicators: []'],
    at: '9:17 outcomes[0].indicators',
    message: /^an outcome needs at least one indicator$/,
  },
  {
    name: 'an outcome without indicators points at the outcome',
    body: [LATENCY, 'outcomes:', '  - { id: o, title: O }'],
    at: '7:5 outcomes[0].indicators',
    message: /^missing required key "indicators" \(a list\)$/,
  },
  {
    name: 'an unknown ref is reported at the ref with the close matches',
    body: [LATENCY, 'outcomes:', '  - id: o', '    title: O', '    indicators:', '      - { ref: latncy, weight: 2 }'],
    at: '10:16 outcomes[0].indicators[0].ref',
    message: /^unknown indicator "latncy"; did you mean "latency"\?$/,
  },
  {
    name: 'an unknown shorthand ref is reported at the shorthand, suggesting an id it shortens',
    body: [
      '  - { id: checkout_latency_p95, title: L, pillar: reliability, unit: s, series: up, objective: { max: 1 } }',
      'outcomes:',
      '  - { id: o, title: O, indicators: [checkout_latency] }',
    ],
    at: '7:37 outcomes[0].indicators[0]',
    message: /^unknown indicator "checkout_latency"; did you mean "checkout_latency_p95"\?$/,
  },
  {
    name: 'an unknown ref with no near match lists the indicators',
    body: [LATENCY, 'outcomes:', '  - { id: o, title: O, indicators: [availability] }'],
    at: '7:37 outcomes[0].indicators[0]',
    message: /^unknown indicator "availability"; indicators in this file: latency$/,
  },
  {
    name: 'the same ref twice in one outcome is reported at the second',
    body: [LATENCY, 'outcomes:', '  - id: o', '    title: O', '    indicators:', '      - latency', '      - { ref: latency, key: true }'],
    at: '11:16 outcomes[0].indicators[1].ref',
    message: /^indicator "latency" is listed twice in this outcome \(first listed at 10:9\)$/,
  },
  {
    name: 'a ref that is neither an id nor a mapping says what is expected',
    body: [LATENCY, 'outcomes:', '  - { id: o, title: O, indicators: [latency, 7] }'],
    at: '7:46 outcomes[0].indicators[1]',
    message: /^expected an indicator id or a mapping \{ ref, weight, key \}, found the number 7$/,
  },
  {
    name: 'a ref weight below 0 is refused',
    body: [LATENCY, 'outcomes:', '  - { id: o, title: O, indicators: [{ ref: latency, weight: -2 }] }'],
    at: '7:61 outcomes[0].indicators[0].weight',
    message: /^must be 0 or more$/,
  },
  {
    name: 'an evaluation interval below 1s is refused',
    body: [LATENCY, 'evaluation: { interval: 500ms }'],
    at: '6:25 evaluation.interval',
    message: /^must be at least 1s$/,
  },
  {
    name: 'stale_after_failures below 1 is refused',
    body: [LATENCY, 'evaluation:', '  stale_after_failures: 0'],
    at: '7:25 evaluation.stale_after_failures',
    message: /^must be at least 1$/,
  },
];

for (const c of cases) {
  test(`indicators: ${c.name}`, () => {
    const issues = issuesOf(lines(...HEAD, ...c.body));
    assert.equal(issues.length, 1, `expected one issue, got:\n${issues.map(formatIssue).join('\n')}`);
    const [issue] = issues as [WorkloadIssue];
    assert.equal(`${issue.line}:${issue.column} ${issue.path}`, c.at, formatIssue(issue));
    assert.match(issue.message, c.message);
  });
}

test('every problem across indicators and outcomes is reported in one pass, sorted by position', () => {
  const text = lines(
    ...HEAD,
    '  - id: a', //                                                    5
    '    title: A', //                                                 6
    '    pillar: reliabilty', //                                       7
    '    unit: s', //                                                  8
    '    series: up{', //                                              9
    '    ratio: { numerator: { series: x }, denominator: { series: y } }', // 10
    '    objective: { max: 1, warning: 0.5 }', //                      11
    '  - id: a', //                                                    12
    '    title: B', //                                                 13
    '    pillar: security', //                                         14
    '    slo: { success: up, objective: 100% }', //                    15
    '    objective: { min: 1 }', //                                    16
    'outcomes:', //                                                    17
    '  - { id: o, title: O, indicators: [a, b, a] }', //               18
    '  - { id: p, title: P, indicators: [] }', //                      19
  );
  assert.deepEqual(
    issuesOf(text).map((i) => `${i.line}:${i.column} ${i.path}`),
    [
      '7:13 indicators[0].pillar',
      '9:13 indicators[0].series',
      '10:5 indicators[0].ratio',
      '11:35 indicators[0].objective.warning',
      '12:9 indicators[1].id',
      '15:36 indicators[1].slo.objective',
      '16:5 indicators[1].objective',
      '18:40 outcomes[0].indicators[1]',
      '18:43 outcomes[0].indicators[2]',
      '19:36 outcomes[1].indicators',
    ],
  );
});

test('values from ${VAR} in indicators and outcomes are redacted where they land in the Workload', () => {
  const text = lines(
    ...HEAD,
    '  - id: a',
    '    title: A',
    '    pillar: reliability',
    '    unit: s',
    '    series: "${SERIES}"',
    '    window: ${WINDOW}',
    '    objective: { max: "${TARGET}" }',
    '  - id: b',
    '    title: B',
    '    pillar: reliability',
    '    slo: { good: "${GOOD}", total: all, objective: "${SLO}" }',
    'evaluation: { interval: "${EVERY}" }',
    'outcomes:',
    '  - { id: o, title: O, indicators: ["${REF}"] }',
  );
  const env = { SERIES: 'up{job="api"}', WINDOW: '1h', TARGET: '0.5', GOOD: 'ok_total', SLO: '99%', EVERY: '30s', REF: 'a' };
  const r = ok(load(text, env));
  const a = r.workload.indicators[0];
  assert.ok(a?.kind === 'threshold' && a.source.kind === 'aggregate');
  assert.equal(a.source.windowMs, HOUR);
  const shown = redactWorkload(r.workload, r.secretPaths) as {
    indicators: Array<{ source?: Record<string, unknown>; objective?: Record<string, unknown>; slo?: { events: Record<string, unknown>; objective: unknown } }>;
    evaluation: Record<string, unknown>;
    outcomes: Array<{ indicators: Array<Record<string, unknown>> }>;
  };
  assert.deepEqual(shown.indicators[0]?.source, { kind: 'aggregate', series: REDACTED, aggregation: 'last', windowMs: REDACTED, combine: 'avg' });
  assert.deepEqual(shown.indicators[0]?.objective, { target: REDACTED, direction: 'max' });
  assert.equal(shown.indicators[1]?.slo?.events.good, REDACTED);
  assert.equal(shown.indicators[1]?.slo?.objective, REDACTED);
  assert.deepEqual(shown.evaluation, { intervalMs: REDACTED, staleAfterFailures: 3 });
  assert.deepEqual(shown.outcomes[0]?.indicators[0], { ref: REDACTED, weight: 1, key: false });
});

test('file paths map to where their values land in the Workload', () => {
  const cases: Array<[Array<string | number>, Array<string | number>]> = [
    [['indicators', 0, 'series'], ['indicators', 0, 'source', 'series']],
    [['indicators', 0, 'aggregate'], ['indicators', 0, 'source', 'aggregation']],
    [['indicators', 0, 'window'], ['indicators', 0, 'source', 'windowMs']],
    [['indicators', 0, 'combine'], ['indicators', 0, 'source', 'combine']],
    [['indicators', 1, 'ratio', 'numerator', 'window'], ['indicators', 1, 'source', 'numerator', 'windowMs']],
    [['indicators', 1, 'ratio', 'denominator', 'series'], ['indicators', 1, 'source', 'denominator', 'series']],
    [['indicators', 2, 'slo', 'success'], ['indicators', 2, 'slo', 'events', 'success']],
    [['indicators', 2, 'slo', 'window'], ['indicators', 2, 'slo', 'windowMs']],
    [['indicators', 2, 'slo', 'budget_warning_below'], ['indicators', 2, 'slo', 'budgetWarningBelow']],
    [['indicators', 2, 'slo', 'objective'], ['indicators', 2, 'slo', 'objective']],
    [['indicators', 3, 'objective', 'min'], ['indicators', 3, 'objective', 'target']],
    [['indicators', 3, 'objective', 'critical'], ['indicators', 3, 'objective', 'critical']],
    [['indicators', 3, 'title'], ['indicators', 3, 'title']],
    [['outcomes', 0, 'indicators', 1], ['outcomes', 0, 'indicators', 1, 'ref']],
    [['outcomes', 0, 'indicators', 1, 'ref'], ['outcomes', 0, 'indicators', 1, 'ref']],
    [['evaluation', 'stale_after_failures'], ['evaluation', 'staleAfterFailures']],
  ];
  for (const [file, workload] of cases) assert.deepEqual(toWorkloadPath(file), workload, file.join('.'));
});
