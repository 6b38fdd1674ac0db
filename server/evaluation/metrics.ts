import { Gauge, type Registry } from 'prom-client';
import type { EvaluationSnapshot } from './snapshot.js';
import { BURN_WINDOWS } from '../scoring/burn-rate.js';
import { PILLARS, STATUSES } from '../scoring/types.js';
import { CachingRegistry } from '../telemetry/cachingRegistry.js';

/**
 * Pillar, outcome, indicator and SLO gauges, computed at scrape time from the latest
 * evaluation: an indicator removed by a reload is gone from the next scrape, and a value that
 * is unknown (no_data, stale, pillar not measured) is absent rather than a made-up number.
 * With a CachingRegistry their text is rendered once per snapshot (they depend on nothing
 * else), since 500 indicators make thousands of series. Status gauges are state sets: one
 * series per possible status, 1 for the current one — so
 * `pillarboard_indicator_status{status="critical"} == 1` alerts directly.
 */
export function registerEvaluationMetrics(registry: Registry, latest: () => EvaluationSnapshot | null): void {
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, s: EvaluationSnapshot) => void) => {
    const g = new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        const s = latest();
        if (s) fill(this, s);
      },
    });
    if (registry instanceof CachingRegistry) registry.cacheWhile(g, latest);
    return g;
  };

  gauge('pillarboard_pillar_health_ratio', 'Health of each Well-Architected pillar, 0–1: weighted mean of the scores of its measured indicators (see pillarboard_pillar_indicators); absent when none is measured.', ['pillar'], (g, s) => {
    for (const p of PILLARS) {
      const score = s.pillars[p].score;
      if (score !== null) g.set({ pillar: p }, score / 100);
    }
  });
  gauge('pillarboard_pillar_measured', '1 if the pillar has at least one weighted indicator, else 0.', ['pillar'], (g, s) => {
    for (const p of PILLARS) g.set({ pillar: p }, s.pillars[p].measured ? 1 : 0);
  });
  gauge(
    'pillarboard_pillar_indicators',
    'Indicators with weight above 0 on each pillar: state="total" all of them, state="measured" those with a score (the health ratio speaks for these only).',
    ['pillar', 'state'],
    (g, s) => {
      for (const p of PILLARS) {
        const c = s.pillars[p].coverage;
        g.set({ pillar: p, state: 'measured' }, c.measured);
        g.set({ pillar: p, state: 'total' }, c.total);
      }
    },
  );
  gauge(
    'pillarboard_outcome_indicators',
    'Indicators with weight above 0 in each outcome: state="total" all of them, state="measured" those with a score (the attainment speaks for these only).',
    ['outcome', 'state'],
    (g, s) => {
      for (const o of s.outcomes) {
        g.set({ outcome: o.id, state: 'measured' }, o.coverage.measured);
        g.set({ outcome: o.id, state: 'total' }, o.coverage.total);
      }
    },
  );
  gauge('pillarboard_outcome_attainment_ratio', 'Attainment of each business outcome, 0–1; absent when no indicator has data.', ['outcome'], (g, s) => {
    for (const o of s.outcomes) if (o.attainment !== null) g.set({ outcome: o.id }, o.attainment);
  });
  gauge('pillarboard_outcome_status', 'Status of each business outcome as a state set (1 for the current status).', ['outcome', 'status'], (g, s) => {
    for (const o of s.outcomes) for (const st of STATUSES) g.set({ outcome: o.id, status: st }, o.status === st ? 1 : 0);
  });
  gauge('pillarboard_indicator_value', 'Measured value of each indicator in its own unit (SLOs: attainment 0–1); absent when no_data or stale.', ['indicator', 'pillar'], (g, s) => {
    for (const i of s.indicators) if (i.value !== null && Number.isFinite(i.value)) g.set({ indicator: i.id, pillar: i.pillar }, i.value);
  });
  gauge('pillarboard_indicator_score_ratio', 'Score of each indicator, 0–1 (1 at target, 0 at the critical bound).', ['indicator'], (g, s) => {
    for (const i of s.indicators) if (i.score !== null) g.set({ indicator: i.id }, i.score / 100);
  });
  gauge('pillarboard_indicator_status', 'Status of each indicator as a state set (1 for the current status).', ['indicator', 'status'], (g, s) => {
    for (const i of s.indicators) for (const st of STATUSES) g.set({ indicator: i.id, status: st }, i.status === st ? 1 : 0);
  });
  gauge('pillarboard_slo_error_budget_remaining_ratio', 'Error budget remaining of each SLO indicator (1 = untouched, 0 = spent, negative = overspent).', ['indicator'], (g, s) => {
    for (const i of s.indicators) if (i.slo?.budgetRemaining != null) g.set({ indicator: i.id }, i.slo.budgetRemaining);
  });
  gauge('pillarboard_slo_burn_rate', 'Error-budget burn rate of each SLO indicator per window (1 = spending exactly the budget over the SLO window).', ['indicator', 'window'], (g, s) => {
    for (const i of s.indicators) {
      if (!i.slo) continue;
      for (const w of BURN_WINDOWS) {
        const rate = i.slo.burnRates[w];
        if (rate !== null && rate !== undefined) g.set({ indicator: i.id, window: w }, rate);
      }
    }
  });
  gauge('pillarboard_evaluation_last_timestamp_seconds', 'Unix time of the latest evaluation.', [], (g, s) => g.set(s.at / 1000));
  gauge('pillarboard_evaluation_duration_seconds', 'How long the latest evaluation pass took.', [], (g, s) => g.set(s.durationMs / 1000));
}
