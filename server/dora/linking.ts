import type { Deployment, Incident, Model } from './model.js';
import { RefIndex } from './refs.js';
import { lastAtOrBefore } from './stats.js';
import type { DerivedSettings, LinkCounts } from './types.js';

/**
 * Which deployment caused each incident, and which deployments failed — the links the
 * change failure rate counts. As Four Keys and DevLake do it:
 * - **explicit**: the incident's `attrs.deployment` names a deployment (refs.ts), or the
 *   commit that caused it (Four Keys' root cause). A name that matches nothing leaves the
 *   incident unlinked: a wrong guess would charge an innocent deployment.
 * - **previous** (DevLake's rule): otherwise, the last successful production deployment
 *   at or before the incident's start — of the incident's service when it names one, of
 *   the whole workload when it does not — at most `linkLookbackMs` earlier.
 * A deployment **failed** when at least one incident links to it (two overlapping incidents
 * on one deployment make one failed deployment), or when a later deployment rolls it back:
 * the deployment that shipped a reverted commit (attrs.revertOf / reverts), or, for a
 * rollback that names no commit, the previous deployment of the same service.
 */

export interface Links {
  deploymentOf: Map<Incident, Deployment | null>;
  failed: Set<Deployment>;
  counts: LinkCounts;
  deploymentIndex: RefIndex<Deployment>;
}

export function linkEvents(model: Model, settings: DerivedSettings): Links {
  const deploymentIndex = new RefIndex(model.deployments, (d) => d.shas);
  const timeline = new Timeline(model.deployments);
  const deploymentOf = new Map<Incident, Deployment | null>();
  const failed = new Set<Deployment>();
  const counts: LinkCounts = { explicit: 0, previous: 0, unresolved: 0, none: 0 };

  for (const incident of model.incidents) {
    let linked: Deployment | null = null;
    if (incident.deploymentRef !== undefined) {
      linked = deploymentIndex.resolve(incident.deploymentRef, incident.service) ?? null;
      counts[linked ? 'explicit' : 'unresolved']++;
    } else {
      const prev = timeline.lastAtOrBefore(incident.service, incident.startedAt);
      if (prev && prev.at >= incident.startedAt - settings.linkLookbackMs) linked = prev;
      counts[linked ? 'previous' : 'none']++;
    }
    deploymentOf.set(incident, linked);
    if (linked) failed.add(linked);
  }

  for (const d of model.deployments) {
    if (!d.rollback) continue;
    if (d.reverts.length > 0) {
      for (const sha of d.reverts) {
        const target = deploymentIndex.resolve(sha);
        if (target && target !== d && target.at <= d.at) failed.add(target);
      }
    } else {
      const prev = timeline.before(d);
      if (prev) failed.add(prev);
    }
  }
  return { deploymentOf, failed, counts, deploymentIndex };
}

/** The service an incident counts for: its own, else the one of the deployment it is linked to. */
export function incidentService(links: Links, incident: Incident): string | undefined {
  return incident.service ?? links.deploymentOf.get(incident)?.service ?? undefined;
}

/** Deployments by time, per service and for the whole workload, for "the last one before". */
class Timeline {
  private readonly all: Deployment[];
  private readonly allAt: number[];
  private readonly byService = new Map<string, { list: Deployment[]; at: number[] }>();

  constructor(deployments: readonly Deployment[]) {
    this.all = [...deployments];
    this.allAt = this.all.map((d) => d.at);
    for (const d of deployments) {
      if (d.service === undefined) continue;
      let s = this.byService.get(d.service);
      if (!s) this.byService.set(d.service, (s = { list: [], at: [] }));
      s.list.push(d);
      s.at.push(d.at);
    }
  }

  lastAtOrBefore(service: string | undefined, t: number): Deployment | undefined {
    const s = service === undefined ? { list: this.all, at: this.allAt } : this.byService.get(service);
    if (!s) return undefined;
    const i = lastAtOrBefore(s.at, t);
    return i < 0 ? undefined : s.list[i];
  }

  /** The deployment of the same service (or of the workload, for one without) just before `d`. */
  before(d: Deployment): Deployment | undefined {
    const s = d.service === undefined ? { list: this.all, at: this.allAt } : this.byService.get(d.service)!;
    const i = s.list.indexOf(d);
    return i > 0 ? s.list[i - 1] : undefined;
  }
}
