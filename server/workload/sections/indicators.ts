import { z } from 'zod';
import type { AggregateSource, IndicatorSpec } from '../../evaluation/spec.js';
import { docs } from '../doc-meta.js';
import { keysAt } from '../introspect.js';
import type { PathIssue } from '../../validation/issues.js';
import type { Path } from '../../validation/path.js';
import { convertZodIssues } from '../../validation/zod-issues.js';
import { defaultCombine, indicatorFields, type IndicatorFields } from './indicator-fields.js';

/**
 * `indicators:` — what is measured and what good means. Each entry is validated in two
 * passes whose issues are reported together: the rules that tie keys to each other, on the
 * entry as written (`entryRules`), and every value by `indicatorFields`. Only an entry
 * without issues becomes an `IndicatorSpec`.
 */

const SOURCES = ['series', 'ratio', 'slo'] as const;
type SourceKey = (typeof SOURCES)[number];
const SERIES_ONLY = ['aggregate', 'window', 'combine'] as const;

export const indicatorsSchema = z
  .array(
    z
      .record(z.string(), z.unknown())
      .transform((raw, ctx): IndicatorSpec => {
        const result = validateIndicator(raw);
        if (result.ok) return result.value;
        for (const { path, message, at } of result.issues) {
          ctx.addIssue({ code: 'custom', path: [...path], message, params: at ? { at } : undefined });
        }
        return z.NEVER;
      })
      .register(docs, { fields: () => indicatorFields }),
  )
  .default([])
  .describe('What is measured and what good means. Each entry has exactly one of `series`, `ratio` or `slo`.');

type Result = { ok: true; value: IndicatorSpec } | { ok: false; issues: PathIssue[] };

export function validateIndicator(raw: Record<string, unknown>): Result {
  const issues = entryRules(raw);
  const parsed = indicatorFields.safeParse(raw);
  if (!parsed.success) issues.push(...convertZodIssues(parsed.error.issues, { input: raw, keysAt: (p) => keysAt(indicatorFields, p) }));
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return { ok: true, value: toSpec(parsed.data) };
}

const has = (o: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined;
const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The rules between keys, checked on the entry as written. */
function entryRules(raw: Record<string, unknown>): PathIssue[] {
  const issues: PathIssue[] = [];
  const sources = SOURCES.filter((k) => has(raw, k));
  const kind: SourceKey | undefined = sources[0];
  if (kind === undefined) {
    issues.push({
      path: [],
      message: 'missing the source: give exactly one of series: (a series aggregated), ratio: (numerator / denominator) or slo: (events against an objective)',
    });
  }
  for (const extra of sources.slice(1)) {
    issues.push({
      path: [extra],
      at: 'key',
      message: `"${extra}" cannot be used with "${kind}": an indicator takes exactly one of series:, ratio: or slo:`,
    });
  }
  if (kind === 'ratio' || kind === 'slo') {
    const hint =
      kind === 'ratio'
        ? 'for a ratio, set aggregate, window and combine inside ratio.numerator and ratio.denominator'
        : 'an SLO counts events over slo.window';
    for (const key of SERIES_ONLY.filter((k) => has(raw, k))) {
      issues.push({ path: [key], at: 'key', message: `"${key}" goes with series: only; ${hint}` });
    }
  }
  if (isMapping(raw.objective)) issues.push(...objectiveRules(raw.objective));
  if (isMapping(raw.slo)) issues.push(...sloRules(raw.slo));
  // With two sources the kind is unclear, and so is what else is required.
  if (sources.length !== 1) return issues;
  if (kind === 'slo' && has(raw, 'objective')) {
    issues.push({
      path: ['objective'],
      at: 'key',
      message: 'an slo indicator takes no objective: its target is slo.objective (e.g. 99.9%), its bounds come from the error budget',
    });
  }
  if ((kind === 'series' || kind === 'ratio') && !has(raw, 'objective')) {
    issues.push({
      path: ['objective'],
      message: `missing required key "objective" (max: or min:, with optional warning: and critical:) for a ${kind} indicator`,
    });
  }
  if (kind === 'series' && !has(raw, 'unit')) {
    issues.push({ path: ['unit'], message: 'missing required key "unit" (free text: seconds, bytes, ratio, requests/s…)' });
  }
  return issues;
}

function objectiveRules(o: Record<string, unknown>): PathIssue[] {
  if (has(o, 'max') && has(o, 'min')) {
    return [{ path: ['objective', 'min'], at: 'key', message: 'give max: (lower is better) or min: (higher is better), not both' }];
  }
  if (!has(o, 'max') && !has(o, 'min')) {
    return [{ path: ['objective'], message: 'missing the target: give max: (lower is better) or min: (higher is better)' }];
  }
  return [];
}

function sloRules(s: Record<string, unknown>): PathIssue[] {
  const at = (key: string): Path => ['slo', key];
  if (has(s, 'success')) {
    return ['good', 'bad', 'total']
      .filter((k) => has(s, k))
      .map((k) => ({
        path: at(k),
        at: 'key' as const,
        message: `"${k}" cannot be used with "success": count events with good: or bad: and total:, or with success: alone`,
      }));
  }
  if (has(s, 'good') && has(s, 'bad')) {
    return [{ path: at('bad'), at: 'key', message: 'give good: or bad:, not both; the other is total minus it' }];
  }
  if (!has(s, 'good') && !has(s, 'bad')) {
    const message = has(s, 'total')
      ? 'missing good: or bad: beside total: (which events count as good, or as bad)'
      : 'missing the events: give good: or bad: with total: (counters), or success: (a probe series)';
    return [{ path: ['slo'], message }];
  }
  if (!has(s, 'total')) return [{ path: at('total'), message: 'missing required key "total" (a selector of all events)' }];
  return [];
}

function toSpec(f: IndicatorFields): IndicatorSpec {
  const base = {
    id: f.id,
    title: f.title,
    pillar: f.pillar,
    unit: f.unit ?? 'ratio',
    ...(f.description !== undefined && { description: f.description }),
    ...(f.runbook !== undefined && { runbook: f.runbook }),
    weight: f.weight,
    ...(f.collector !== undefined && { collector: f.collector }),
  };
  if (f.slo) return { ...base, kind: 'slo', slo: f.slo };
  // entryRules guarantee an objective and exactly one source here.
  const objective = f.objective!;
  if (f.ratio) return { ...base, kind: 'threshold', source: { kind: 'ratio', ...f.ratio }, objective };
  const source: AggregateSource = {
    kind: 'aggregate',
    series: f.series!,
    aggregation: f.aggregate,
    windowMs: f.window,
    combine: f.combine ?? defaultCombine(f.aggregate),
  };
  return { ...base, kind: 'threshold', source, objective };
}

const RENAMED_SOURCE: Record<string, string> = { aggregate: 'aggregation', window: 'windowMs' };
const RENAMED_SLO: Record<string, Path> = {
  good: ['events', 'good'],
  bad: ['events', 'bad'],
  total: ['events', 'total'],
  success: ['events', 'success'],
  window: ['windowMs'],
  budget_warning_below: ['budgetWarningBelow'],
};

/**
 * Where a path under `indicators` lands in the Workload: `series` → `source.series` (the whole
 * SelectorSpec, so redacting a selector from `${VAR}` hides its parsed form too),
 * `aggregate` → `source.aggregation`, `ratio.numerator.window` → `source.numerator.windowMs`,
 * `slo.good` → `slo.events.good`, `objective.max` → `objective.target`.
 */
export function indicatorsOutputPath(rest: Path): Path {
  const [index, key, ...more] = rest;
  if (typeof index !== 'number' || typeof key !== 'string') return rest;
  switch (key) {
    case 'series':
    case 'aggregate':
    case 'window':
    case 'combine':
      return [index, 'source', ...sourceKey(key), ...more];
    case 'ratio': {
      const [side, sideKey, ...deeper] = more;
      if (typeof sideKey !== 'string' || side === undefined) return [index, 'source', ...more];
      return [index, 'source', side, ...sourceKey(sideKey), ...deeper];
    }
    case 'slo': {
      const [sloKey, ...deeper] = more;
      const mapped = typeof sloKey === 'string' ? RENAMED_SLO[sloKey] : undefined;
      return mapped ? [index, 'slo', ...mapped, ...deeper] : rest;
    }
    case 'objective': {
      const [bound, ...deeper] = more;
      return bound === 'max' || bound === 'min' ? [index, 'objective', 'target', ...deeper] : rest;
    }
    default:
      return rest;
  }
}

function sourceKey(key: string): Path {
  return [RENAMED_SOURCE[key] ?? key];
}
