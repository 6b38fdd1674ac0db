import type { Sample } from '../../collectors/types.js';
import { DORA_KEYS, TIER_VALUE, WINDOW_IDS, type DerivedReport, type ScopeMetrics } from './types.js';

/**
 * The derived series, one sample each per run at the run's time, for indicators to select.
 * Labels: `scope="workload"`, or `scope="service"` with `service="<name>"`; windowed series
 * add `window="7d"|"30d"|"90d"`. No `collector` label, like the evaluator's own history.
 *
 * An unknown value (a median of nothing, a ratio over zero) writes **no sample** — the
 * indicator shows no data rather than a made-up 0. Counts are always written: zero game
 * days is a fact. See docs/dora.md for every formula.
 */
export const SERIES = {
  deploymentFrequency: 'dora_deployment_frequency_per_day',
  deployments: 'dora_deployments',
  leadTime: 'dora_lead_time_seconds',
  changeFailure: 'dora_change_failure_ratio',
  timeToRestore: 'dora_time_to_restore_seconds',
  tier: 'dora_tier',
  pipelineRatio: 'ops_pipeline_deployment_ratio',
  changeSize: 'ops_change_size_lines_p50',
  rollbackRatio: 'ops_rollback_ratio',
  rollbackPathRatio: 'ops_rollback_path_ratio',
  incidentReviewRatio: 'ops_incident_review_ratio',
  daysSinceGameday: 'ops_days_since_last_gameday',
  gamedays: 'ops_gamedays_90d',
  gamedayFindings: 'ops_gameday_findings_90d',
  openActionItems: 'ops_open_action_items',
  actionItemAge: 'ops_action_item_age_days_max',
  repeatIncidents: 'ops_repeat_incidents_90d',
  runbookAge: 'ops_runbook_review_age_days',
} as const;

const KEY_SERIES = {
  deployment_frequency: SERIES.deploymentFrequency,
  lead_time: SERIES.leadTime,
  change_failure_rate: SERIES.changeFailure,
  time_to_restore: SERIES.timeToRestore,
} as const;

export function reportSamples(report: DerivedReport): Sample[] {
  const ts = report.at;
  const out: Sample[] = [];
  const add = (name: string, labels: Record<string, string>, value: number | null) => {
    if (value !== null && Number.isFinite(value)) out.push({ name, labels, ts, value });
  };
  for (const scope of [report.workload, ...report.services]) scopeSamples(scope, add);
  for (const r of report.runbooks) {
    add(SERIES.runbookAge, r.owner === undefined ? { runbook: r.id } : { runbook: r.id, owner: r.owner }, r.ageDays);
  }
  return out;
}

function scopeSamples(s: ScopeMetrics, add: (name: string, labels: Record<string, string>, value: number | null) => void): void {
  const base: Record<string, string> = s.service === null ? { scope: 'workload' } : { scope: 'service', service: s.service };
  for (const id of WINDOW_IDS) {
    const w = s.windows[id];
    const labels = { ...base, window: id };
    for (const k of DORA_KEYS) {
      const result = w.keys[k];
      add(KEY_SERIES[k], labels, result.value);
      add(SERIES.tier, { ...labels, key: k }, result.tier === null ? null : TIER_VALUE[result.tier]);
    }
    add(SERIES.deployments, labels, w.deployments);
    add(SERIES.pipelineRatio, labels, w.pipelineRatio.value);
    add(SERIES.changeSize, labels, w.changeSizeP50);
    add(SERIES.rollbackRatio, labels, w.rollbackRatio.value);
    add(SERIES.rollbackPathRatio, labels, w.rollbackPathRatio.value);
    add(SERIES.incidentReviewRatio, labels, w.incidentReviewRatio.value);
  }
  add(SERIES.daysSinceGameday, base, s.daysSinceLastGameday);
  add(SERIES.gamedays, base, s.gamedays90d);
  add(SERIES.gamedayFindings, base, s.gamedayFindings90d);
  add(SERIES.openActionItems, base, s.openActionItems);
  add(SERIES.actionItemAge, base, s.actionItemAgeDaysMax);
  add(SERIES.repeatIncidents, base, s.repeatIncidents90d);
}
