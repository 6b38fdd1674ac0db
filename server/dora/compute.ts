import type { StoredEvent } from '../events/types.js';
import { incidentService, linkEvents, type Links } from './linking.js';
import { buildModel, type ActionItem, type Deployment, type Gameday, type Incident, type Model } from './model.js';
import { RefIndex } from './refs.js';
import { median, ratio, windowRange } from './stats.js';
import { tierOf } from './tiers.js';
import {
  DAY_MS, WINDOWS, WINDOW_IDS, type DerivedReport, type DerivedSettings, type DoraKeys, type RunbookAge, type ScopeMetrics,
  type WindowId, type WindowMetrics,
} from './types.js';

/**
 * The four keys and the design-principle metrics for the whole workload and each service,
 * over every window, from stored events. Pure: the same events, `now` and settings give the
 * same report. Formulas are in docs/dora.md; each is stated again where it is computed.
 */
export function computeDerived(events: readonly StoredEvent[], now: number, settings: DerivedSettings): DerivedReport {
  const model = buildModel(events, settings, now);
  const links = linkEvents(model, settings);
  const reviewedAt = incidentReviewTimes(model);
  const scopes = splitScopes(model, links);
  const compute = (scope: ScopeEvents) => scopeMetrics(scope, links, reviewedAt, now, settings);
  return {
    at: now,
    benchmarkYear: settings.benchmarkYear,
    workload: compute(scopes.workload),
    services: [...scopes.services.values()].sort((a, b) => (a.service! < b.service! ? -1 : 1)).map(compute),
    runbooks: runbookAges(model, settings, now),
    incidentLinks: links.counts,
  };
}

/** The events of one scope: the workload (service null) or one service. */
interface ScopeEvents {
  service: string | null;
  deployments: Deployment[];
  incidents: Incident[];
  gamedays: Gameday[];
  actionItems: ActionItem[];
}

function splitScopes(model: Model, links: Links): { workload: ScopeEvents; services: Map<string, ScopeEvents> } {
  const services = new Map<string, ScopeEvents>();
  const scope = (service: string | undefined): ScopeEvents | undefined => {
    if (service === undefined) return undefined;
    let s = services.get(service);
    if (!s) services.set(service, (s = { service, deployments: [], incidents: [], gamedays: [], actionItems: [] }));
    return s;
  };
  const incidents = new RefIndex(model.incidents);
  for (const d of model.deployments) scope(d.service)?.deployments.push(d);
  for (const i of model.incidents) scope(incidentService(links, i))?.incidents.push(i);
  for (const g of model.gamedays) scope(g.service)?.gamedays.push(g);
  for (const a of model.actionItems) {
    const incident = a.incidentRef === undefined ? undefined : incidents.resolve(a.incidentRef, a.service);
    scope(a.service ?? (incident && incidentService(links, incident)))?.actionItems.push(a);
  }
  const workload: ScopeEvents = {
    service: null,
    deployments: model.deployments,
    incidents: model.incidents,
    gamedays: model.gamedays,
    actionItems: model.actionItems,
  };
  return { workload, services };
}

/** incident → when its first completed review was done. */
function incidentReviewTimes(model: Model): Map<Incident, number> {
  const index = new RefIndex(model.incidents);
  const out = new Map<Incident, number>();
  for (const r of model.reviews) {
    if (r.incidentRef === undefined || r.completedAt === undefined) continue;
    const incident = index.resolve(r.incidentRef);
    if (!incident) continue;
    const prev = out.get(incident);
    if (prev === undefined || r.completedAt < prev) out.set(incident, r.completedAt);
  }
  return out;
}

function scopeMetrics(
  scope: ScopeEvents,
  links: Links,
  reviewedAt: Map<Incident, number>,
  now: number,
  settings: DerivedSettings,
): ScopeMetrics {
  const deployments = scope.deployments; // oldest first
  const depAt = deployments.map((d) => d.at);

  // Lead time samples: each commit once, at the first deployment (of this scope) that shipped it.
  const leadAt: number[] = [];
  const leadSeconds: number[] = [];
  const seen = new Set<string>();
  for (const d of deployments) {
    for (const c of d.commits) {
      if (seen.has(c.sha)) continue;
      seen.add(c.sha);
      leadAt.push(d.at);
      leadSeconds.push(Math.max(0, d.at - c.at) / 1000);
    }
  }

  const restored = scope.incidents.filter((i) => i.restoredAt !== undefined).sort((a, b) => a.restoredAt! - b.restoredAt!);
  const restoredAt = restored.map((i) => i.restoredAt!);
  const reviewDue = restored.map((i) => i.restoredAt! + settings.reviewDueMs); // ascending too

  const windows = {} as Record<WindowId, WindowMetrics>;
  for (const id of WINDOW_IDS) {
    const start = now - WINDOWS[id];
    const [d0, d1] = windowRange(depAt, start, now);
    const inWindow = deployments.slice(d0, d1);
    const n = inWindow.length;
    const [l0, l1] = windowRange(leadAt, start, now);
    const [r0, r1] = windowRange(restoredAt, start, now);
    const ttr = restored.slice(r0, r1).map((i) => (i.restoredAt! - i.startedAt) / 1000);
    const failedDeployments = inWindow.filter((d) => links.failed.has(d)).length;

    const keys: DoraKeys = {
      deployment_frequency: key('deployment_frequency', n / (WINDOWS[id] / DAY_MS), 'deployments/day', n, settings),
      lead_time: key('lead_time', median(leadSeconds.slice(l0, l1)), 'seconds', l1 - l0, settings),
      change_failure_rate: key('change_failure_rate', n > 0 ? failedDeployments / n : null, 'ratio', n, settings),
      time_to_restore: key('time_to_restore', median(ttr), 'seconds', ttr.length, settings),
    };

    const known = inWindow.filter((d) => d.trigger !== undefined);
    const sizes = inWindow.flatMap((d) => (d.linesChanged === undefined ? [] : [d.linesChanged]));
    const [v0, v1] = windowRange(reviewDue, start, now);
    const due = restored.slice(v0, v1);
    const reviewedInTime = due.filter((i) => {
      const at = reviewedAt.get(i);
      return at !== undefined && at <= i.restoredAt! + settings.reviewDueMs;
    }).length;

    windows[id] = {
      window: id,
      keys,
      deployments: n,
      failedDeployments,
      pipelineRatio: ratio(known.filter((d) => d.trigger === 'pipeline').length, known.length),
      changeSizeP50: median(sizes),
      changeSizeSamples: sizes.length,
      rollbackRatio: ratio(inWindow.filter((d) => d.rollback).length, n),
      rollbackPathRatio: ratio(inWindow.filter((d) => d.rollbackPlan).length, n),
      incidentReviewRatio: ratio(reviewedInTime, due.length),
    };
  }

  const start90 = now - WINDOWS['90d'];
  const recent = scope.gamedays.filter((g) => g.startedAt > start90);
  const lastHeld = scope.gamedays.reduce((max, g) => Math.max(max, g.heldAt), -Infinity);
  const open = scope.actionItems.filter((a) => a.open);
  const oldestOpen = open.reduce((min, a) => Math.min(min, a.openedAt), Infinity);

  return {
    service: scope.service,
    windows,
    daysSinceLastGameday: scope.gamedays.length > 0 ? (now - lastHeld) / DAY_MS : null,
    gamedays90d: recent.length,
    gamedayFindings90d: recent.reduce((sum, g) => sum + g.findings, 0),
    openActionItems: open.length,
    actionItemAgeDaysMax: open.length > 0 ? Math.max(0, now - oldestOpen) / DAY_MS : 0,
    repeatIncidents90d: repeatIncidents(scope.incidents, start90, settings.repeatWindowMs),
  };
}

function key(k: keyof DoraKeys, value: number | null, unit: DoraKeys[keyof DoraKeys]['unit'], sampleSize: number, settings: DerivedSettings) {
  return { value, unit, tier: tierOf(k, value, settings.benchmarkYear), sampleSize };
}

/**
 * Incidents started after `since` whose cause was also the cause of an earlier incident
 * (of the same scope) that started at most `withinMs` before them. `incidents` oldest first.
 */
function repeatIncidents(incidents: readonly Incident[], since: number, withinMs: number): number {
  const lastByCause = new Map<string, number>();
  let repeats = 0;
  for (const i of incidents) {
    if (i.cause === undefined) continue;
    const prev = lastByCause.get(i.cause);
    if (i.startedAt > since && prev !== undefined && i.startedAt - prev <= withinMs) repeats++;
    lastByCause.set(i.cause, i.startedAt);
  }
  return repeats;
}

/** Runbooks of the workload file and of review events: the later of the file's date and the last completed review. */
function runbookAges(model: Model, settings: DerivedSettings, now: number): RunbookAge[] {
  const last = new Map<string, number | null>();
  const owners = new Map<string, string | undefined>();
  for (const r of settings.runbooks) {
    last.set(r.id, r.reviewed !== undefined && r.reviewed <= now ? r.reviewed : null);
    owners.set(r.id, r.owner);
  }
  for (const r of model.reviews) {
    if (r.runbook === undefined) continue;
    const prev = last.get(r.runbook) ?? null;
    const at = r.completedAt !== undefined && r.completedAt <= now ? r.completedAt : null;
    last.set(r.runbook, at === null ? prev : prev === null ? at : Math.max(prev, at));
  }
  return [...last.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, at]) => ({ id, owner: owners.get(id), lastReviewed: at, ageDays: at === null ? null : (now - at) / DAY_MS }));
}
