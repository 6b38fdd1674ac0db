import { stringify } from 'yaml';
import type { CollectorDefinition } from '../../collectors/types.js';
import type { IndicatorSpec, SelectorSpec, SloIndicator } from '../evaluation/spec.js';
import { BURN_RATE_RULES, BURN_WINDOWS, type BurnWindow } from '../scoring/burn-rate.js';
import { formatDuration } from '../workload/duration.js';
import { selectsMetric } from './self-reference.js';
import type { Workload } from '../workload/index.js';

/**
 * `pillarboard rules`: Prometheus recording and alerting rules for the SLO indicators whose
 * series come from a collector with a PromQL equivalent (today: `prometheus`).
 *
 * How it stays faithful to what Pillarboard evaluates:
 * 1. For every series an SLO reads, a recording rule reproduces, inside Prometheus, exactly
 *    what the collector stores: `record: <query name>`, `expr: <the query>`, with the
 *    `collector` label (and the collector's own labels) that every stored sample carries.
 *    The indicator's selectors then mean the same thing in both places, label matchers included.
 * 2. Per indicator, the error ratio over each burn window (SRE workbook naming:
 *    `pillarboard_slo:error_ratio:rate<window>{indicator}`). For a probe SLO on a 0/1 series,
 *    numerator and denominator count the same stored samples (`sum_over_time` / `count_over_time`).
 *    A query that selects the name it is recorded under is refused (`errors`): its rule would
 *    read its own output.
 * 3. The multiwindow, multi-burn-rate alerts (page: 1h&5m > 14.4×, 6h&30m > 6×;
 *    ticket: 1d&2h > 3×, 3d&6h > 1×) from the same table the evaluator uses.
 */
export interface RulesResult {
  yaml: string;
  groups: number;
  /** Indicators left out, and why (no collector with a PromQL equivalent stores their series). */
  skipped: Array<{ indicator: string; reason: string }>;
  /**
   * Rules refused because they would be wrong, not merely absent: a recording rule whose query
   * selects the very name it records reads its own output. The file is not usable until fixed.
   */
  errors: Array<{ indicator: string; collector: string; message: string; /** Where in the workload file: the query. */ path: Array<string | number> }>;
}

interface Refusal {
  error: string;
  collector: string;
  path: Array<string | number>;
}

interface SeriesRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
  intervalMs: number;
  collector: string;
}

export function buildPrometheusRules(workload: Workload, registry: ReadonlyMap<string, CollectorDefinition<any>>): RulesResult {
  const seriesRules = new Map<string, SeriesRule>();
  const groups: object[] = [];
  const skipped: RulesResult['skipped'] = [];
  const errors: RulesResult['errors'] = [];

  /** The collector (and its expression) that stores `name`, honouring an indicator's explicit collector. */
  const feed = (ind: IndicatorSpec, sel: SelectorSpec): SeriesRule | string | Refusal => {
    const name = sel.selector.name;
    if (!name) return `selector ${sel.text} has no metric name`;
    const candidates = workload.collectors.filter((c) => !ind.collector || c.id === ind.collector);
    for (const c of candidates) {
      const expr = registry.get(c.type)?.promql?.(c.config, name);
      if (expr === undefined) continue;
      const key = `${c.id}/${name}`;
      if (selectsMetric(expr, name)) {
        return {
          error:
            `collector "${c.id}": the query named ${name} (${expr}) selects ${name} itself, so the recording rule ` +
            `\`record: ${name}\` would read its own output and inflate it; name the query after what it computes ` +
            `(for example ${suggestName(name)}) and use that name in the indicator`,
          collector: c.id,
          path: ['collectors', workload.collectors.indexOf(c), 'queries', name],
        };
      }
      const rule = seriesRules.get(key) ?? { record: name, expr, labels: { ...c.labels, collector: c.id }, intervalMs: c.intervalMs, collector: c.id };
      seriesRules.set(key, rule);
      return rule;
    }
    return `no collector${ind.collector ? ` "${ind.collector}"` : ''} with a PromQL equivalent stores ${name}`;
  };

  const sloGroups: object[] = [];
  for (const ind of workload.indicators) {
    if (ind.kind !== 'slo') continue;
    const events = ind.slo.events;
    const selectors = events.kind === 'probes' ? [events.success] : [events.good ?? events.bad!, events.total];
    const feeds = selectors.map((s) => feed(ind, s));
    const refusals = feeds.filter((f): f is Refusal => typeof f === 'object' && 'error' in f);
    if (refusals.length > 0) {
      for (const r of refusals) errors.push({ indicator: ind.id, collector: r.collector, message: r.error, path: r.path });
      continue;
    }
    const problem = feeds.find((f): f is string => typeof f === 'string');
    if (problem) {
      skipped.push({ indicator: ind.id, reason: problem });
      continue;
    }
    sloGroups.push(sloGroup(ind));
  }

  // One group per collector, evaluated at the collector's interval, so Prometheus records
  // at the same cadence Pillarboard collects.
  const byCollector = new Map<string, SeriesRule[]>();
  for (const r of seriesRules.values()) byCollector.set(r.collector, [...(byCollector.get(r.collector) ?? []), r]);
  for (const [collector, rules] of byCollector) {
    groups.push({
      name: `pillarboard-series-${collector}`,
      interval: formatDuration(rules[0]!.intervalMs),
      rules: rules.map((r) => ({ record: r.record, expr: r.expr, labels: r.labels })),
    });
  }
  groups.push(...sloGroups);

  const header =
    `# Prometheus rules generated by \`pillarboard rules\` for workload "${workload.workload.id}".\n` +
    `# Recording rules reproduce the series Pillarboard's prometheus collectors store; the SLO\n` +
    `# groups record error ratios per burn window and alert on multiwindow burn rates\n` +
    `# (Google SRE workbook, "Alerting on SLOs"). Check with: promtool check rules FILE\n`;
  return { yaml: header + stringify({ groups }, { lineWidth: 0 }), groups: groups.length, skipped, errors };
}

const win = (w: BurnWindow) => w;

function errorRatioExpr(ind: SloIndicator, w: BurnWindow): string {
  const e = ind.slo.events;
  if (e.kind === 'probes') {
    // Each stored sample is one probe: 1 succeeded, 0 failed. Numerator and denominator read
    // the same samples (those stored at the collector's interval), so the ratio is exact at any
    // evaluation interval and stays within [0, 1]. (A subquery `(s > 0)[w:]` would count steps
    // at the evaluation interval instead: with a 30 s probe and a 1 m evaluation interval it
    // settled at 0.5 on a healthy series.)
    const s = e.success.text;
    return `1 - sum(sum_over_time(${s}[${w}])) / sum(count_over_time(${s}[${w}]))`;
  }
  const total = `sum(increase(${e.total.text}[${w}]))`;
  return e.bad ? `sum(increase(${e.bad.text}[${w}])) / ${total}` : `1 - sum(increase(${e.good!.text}[${w}])) / ${total}`;
}

function sloGroup(ind: SloIndicator): object {
  const budget = 1 - ind.slo.objective;
  const ratio = (w: BurnWindow) => `pillarboard_slo:error_ratio:rate${win(w)}{indicator="${ind.id}"}`;
  const records = BURN_WINDOWS.map((w) => ({
    record: `pillarboard_slo:error_ratio:rate${win(w)}`,
    expr: errorRatioExpr(ind, w),
    labels: { indicator: ind.id, pillar: ind.pillar },
  }));
  const alerts = (['page', 'ticket'] as const).map((severity) => {
    const rules = BURN_RATE_RULES.filter((r) => r.severity === severity);
    const expr = rules
      .map((r) => `(${ratio(r.long)} > (${r.factor} * ${round(budget)}) and ${ratio(r.short)} > (${r.factor} * ${round(budget)}))`)
      .join('\nor\n');
    return {
      alert: severity === 'page' ? 'PillarboardSLOBurnRateHigh' : 'PillarboardSLOBurnRateElevated',
      expr,
      labels: { severity, indicator: ind.id, pillar: ind.pillar },
      annotations: {
        summary: `${ind.title}: error budget burning ${severity === 'page' ? 'fast' : 'steadily'}`,
        description:
          `SLO ${(ind.slo.objective * 100).toFixed(3).replace(/\.?0+$/, '')}% over ${formatDuration(ind.slo.windowMs)}: ` +
          rules.map((r) => `${r.long}/${r.short} burn above ${r.factor}x`).join(' or ') +
          '.',
        ...(ind.runbook ? { runbook_url: ind.runbook } : {}),
      },
    };
  });
  return { name: `pillarboard-slo-${ind.id}`, rules: [...records, ...alerts] };
}

/** A recording-rule name for an aggregation of `name` (Prometheus's level:metric:operations style). */
function suggestName(name: string): string {
  return name.includes(':') ? `pillarboard:${name.replace(/^[^:]*:/, '')}` : `job:${name.replace(/_total$/, '')}:sum`;
}

/** Avoids 0.0010000000000000009 in the rules file. */
function round(n: number): string {
  return String(Number(n.toPrecision(12)));
}
