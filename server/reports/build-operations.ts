import { DORA_KEYS, TIERS, type DoraKey } from '../dora/types.js';
import type { StoredEvent } from '../events/types.js';
import { round4 } from './hours.js';
import type { DoraWeek, IncidentWeek, OperationsReport, ReportDoraInput, ReportEvents } from './types.js';

/**
 * The operations section — pure, from whatever events exist (conventions in
 * server/events/types.ts). A kind of event that has never been recorded is reported as
 * unknown (null) with a note, never as zero: "no deployments" and "deployments are not
 * tracked" are different statements.
 */

const SUCCESS = new Set(['success', 'succeeded', 'ok', 'completed', 'done']);
const FAILURE = new Set(['failure', 'failed', 'error', 'errored']);

const refOf = (e: StoredEvent) => `${e.source}:${e.externalId}`;
const iso = (t: number) => new Date(t).toISOString();
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Whether `link` (an externalId, or "source:externalId") names event `e`. */
function names(link: unknown, e: StoredEvent): boolean {
  return typeof link === 'string' && (link === e.externalId || link === refOf(e));
}

function statusOf(e: StoredEvent): string | null {
  return str(e.status) ?? str(e.attrs?.status);
}

const DORA_UNITS: Record<DoraKey, DoraWeek['keys'][DoraKey]['unit']> = {
  deployment_frequency: 'deployments/day',
  lead_time: 'seconds',
  change_failure_rate: 'ratio',
  time_to_restore: 'seconds',
};

/** The four keys at the week's end, as the `dora_*` series said (read.ts); null when they have no sample in the week. */
export function buildDora(input: ReportDoraInput | null | undefined): DoraWeek | null {
  if (!input) return null;
  const keys = {} as DoraWeek['keys'];
  for (const k of DORA_KEYS) {
    const { value, tier } = input.keys[k];
    const t = tier !== null && Number.isInteger(tier) ? (TIERS[tier - 1] ?? null) : null;
    keys[k] = { value, unit: DORA_UNITS[k], tier: t };
  }
  return { at: new Date(input.at).toISOString(), resolution: input.resolution, window: '7d', deployments: input.deployments, keys };
}

export function buildOperations(events: ReportEvents | null, week: { from: number; to: number }, doraInput?: ReportDoraInput | null): OperationsReport {
  const dora = buildDora(doraInput);
  if (events === null) {
    return {
      available: false,
      notes: ['No event store is connected, so deployments, incidents, game days and reviews are not reported.'],
      deployments: null,
      changes: null,
      incidents: null,
      gamedays: null,
      reviews: null,
      actionItems: null,
      dora,
    };
  }
  const seen = new Set(events.kindsSeen);
  const notes: string[] = [];
  const unseen: string[] = [];
  const known = (kind: Parameters<typeof seen.has>[0], what: string) => {
    if (seen.has(kind)) return true;
    unseen.push(what);
    return false;
  };
  const ofKind = (kind: string) => events.week.filter((e) => e.kind === kind).sort((a, b) => a.startedAt - b.startedAt);
  const incidentsOfWeek = ofKind('incident');

  let deployments: OperationsReport['deployments'] = null;
  if (known('deployment', 'deployments')) {
    const list = ofKind('deployment');
    const byService: Record<string, number> = {};
    for (const d of list) byService[d.service ?? 'unspecified'] = (byService[d.service ?? 'unspecified'] ?? 0) + 1;
    const caused = list.filter((d) => incidentsOfWeek.some((i) => names(i.attrs?.deployment, d))).length;
    deployments = {
      total: list.length,
      succeeded: list.filter((d) => SUCCESS.has(statusOf(d) ?? '')).length,
      failed: list.filter((d) => FAILURE.has(statusOf(d) ?? '')).length,
      rollbacks: list.filter((d) => d.attrs?.rollback === true).length,
      causedIncidents: caused,
      changeFailureRate: list.length > 0 ? round4(caused / list.length) : null,
      byService,
    };
  }

  const changes = known('change', 'changes') ? { total: ofKind('change').length } : null;

  let incidents: IncidentWeek[] | null = null;
  if (known('incident', 'incidents')) {
    incidents = incidentsOfWeek.map((i) => {
      const reviews = events.reviews.filter((r) => names(r.attrs?.incident, i)).sort((a, b) => a.updatedAt - b.updatedAt);
      const review = reviews.length > 0 ? (statusOf(reviews[reviews.length - 1]!) ?? 'pending') : 'none';
      const end = i.endedAt ?? week.to;
      return {
        id: refOf(i),
        title: i.title ?? i.externalId,
        service: i.service ?? null,
        severity: str(i.attrs?.severity),
        startedAt: iso(i.startedAt),
        endedAt: i.endedAt === undefined ? null : iso(i.endedAt),
        durationMinutes: Math.max(0, Math.round((end - i.startedAt) / 60_000)),
        ongoing: i.endedAt === undefined || i.endedAt >= week.to,
        review,
      };
    });
  }

  const gamedays = known('gameday', 'game days')
    ? ofKind('gameday').map((g) => {
        const f = g.attrs?.findings;
        return {
          id: refOf(g),
          title: g.title ?? g.externalId,
          service: g.service ?? null,
          startedAt: iso(g.startedAt),
          findings: typeof f === 'number' ? f : Array.isArray(f) ? f.length : null,
        };
      })
    : null;

  let reviews: OperationsReport['reviews'] = null;
  if (known('review', 'reviews')) {
    const list = ofKind('review');
    reviews = { total: list.length, completed: list.filter((r) => statusOf(r) === 'completed').length };
  }

  let actionItems: OperationsReport['actionItems'] = null;
  if (known('action_item', 'action items')) {
    const closedAt = (a: StoredEvent) => a.endedAt ?? (statusOf(a) === 'closed' ? a.updatedAt : undefined);
    const items = events.actionItems.filter((a) => a.startedAt < week.to);
    actionItems = {
      opened: items.filter((a) => a.startedAt >= week.from).length,
      closed: items.filter((a) => {
        const c = closedAt(a);
        return c !== undefined && c >= week.from && c < week.to;
      }).length,
      openAtWeekEnd: items.filter((a) => {
        const c = closedAt(a);
        return c === undefined || c >= week.to;
      }).length,
    };
  }

  if (unseen.length > 0) notes.push(`Never recorded, so unknown rather than zero: ${unseen.join(', ')}.`);
  return { available: true, notes, deployments, changes, incidents, gamedays, reviews, actionItems, dora };
}
