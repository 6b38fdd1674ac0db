import type { EvaluationSnapshot } from '../evaluation/snapshot.js';
import { PILLARS, type Status } from '../scoring/types.js';
import type { NotificationRule, SubjectKind } from './settings.js';

/**
 * What a rule decides from one evaluation pass, as pure functions over plain data: which
 * subjects it watches, and for each, the state to keep and the message to send, if any.
 * Flapping is damped by `for:` (a status must hold that long before the first message),
 * a recovery is sent once (only after a firing message went out), a change between two
 * notifying statuses (warning → critical) is a new firing message.
 *
 * Status without data is not a recovery: after a firing message, `no_data` or `stale` (unless
 * the rule lists them) sends one `no_data` message ("no longer measured since …") and keeps the
 * subject firing — as Alertmanager keeps an alert until it is resolved — and a recovery is sent
 * only when a measured status outside `statuses` arrives. A warning or critical that only
 * missing data makes (a key indicator without data counts as warning in scoring) is, for
 * notifications, not measured either: a server that has no data yet tells nobody anything.
 */

export interface Subject {
  kind: SubjectKind;
  id: string;
  status: Status;
}

/** "outcome:checkout" — the key stored per rule and subject. */
export const subjectKey = (s: { kind: SubjectKind; id: string }) => `${s.kind}:${s.id}`;

export interface RuleState {
  status: Status;
  /** When the subject entered one of the rule's statuses; null when it is not in one. */
  badSince: number | null;
  /** The status the last firing message was about; null when none is out. */
  firedStatus: Status | null;
  lastSentAt: number | null;
}

export type MessageKind = 'firing' | 'repeat' | 'recovery' | 'no_data';

/** Statuses that say a subject is not measured, not that it is fine. */
export const UNMEASURED: ReadonlySet<Status> = new Set<Status>(['no_data', 'stale']);

/**
 * The status a rule sees: the subject's own, except that a warning or critical no measured
 * indicator supports (only key indicators without data make it) reads as `stale` or `no_data`.
 */
export function measuredStatus(status: Status, contributions: ReadonlyArray<{ status: Status; weight: number; key: boolean }>): Status {
  if (status !== 'warning' && status !== 'critical') return status;
  const taking = contributions.filter((c) => c.weight > 0 || c.key);
  if (taking.some((c) => c.status === 'warning' || c.status === 'critical')) return status;
  return taking.some((c) => c.status === 'stale') ? 'stale' : 'no_data';
}

export interface Decision {
  next: RuleState;
  message?: { kind: MessageKind; status: Status; since: number };
}

/** The subjects of a snapshot a rule watches (a pillar not measured has no status to watch). */
export function watchedSubjects(rule: NotificationRule, s: EvaluationSnapshot): Subject[] {
  const picks = (list: string[], id: string) => list.includes('*') || list.includes(id);
  const out: Subject[] = [];
  for (const o of s.outcomes) if (picks(rule.outcomes, o.id)) out.push({ kind: 'outcome', id: o.id, status: measuredStatus(o.status, o.contributions) });
  for (const p of PILLARS) {
    const h = s.pillars[p];
    if (h.status !== 'not_measured' && picks(rule.pillars, p)) out.push({ kind: 'pillar', id: p, status: measuredStatus(h.status, h.contributions) });
  }
  for (const i of s.indicators) if (picks(rule.indicators, i.id)) out.push({ kind: 'indicator', id: i.id, status: i.status });
  return out;
}

/** One pass's step for one rule and subject; `prev` undefined the first time the rule sees it. */
export function decide(rule: NotificationRule, prev: RuleState | undefined, status: Status, at: number): Decision {
  const bad = rule.statuses.includes(status);
  if (!bad && UNMEASURED.has(status) && prev && prev.firedStatus !== null) {
    // Firing, and no longer measured: still firing; said once, on the pass that saw it go.
    const next: RuleState = { ...prev, status };
    const told = UNMEASURED.has(prev.status) && !rule.statuses.includes(prev.status);
    return told ? { next } : { next, message: { kind: 'no_data', status, since: at } };
  }
  const badSince = bad ? (prev?.badSince ?? at) : null;
  const next: RuleState = { status, badSince, firedStatus: prev?.firedStatus ?? null, lastSentAt: prev?.lastSentAt ?? null };
  if (!bad) {
    if (next.firedStatus === null) return { next };
    const since = at;
    next.firedStatus = null;
    return rule.recovery ? { next, message: { kind: 'recovery', status, since } } : { next };
  }
  if (next.firedStatus === null) {
    if (at - badSince! < rule.forMs) return { next };
    next.firedStatus = status;
    next.lastSentAt = at;
    return { next, message: { kind: 'firing', status, since: badSince! } };
  }
  if (next.firedStatus !== status) {
    next.firedStatus = status;
    next.lastSentAt = at;
    return { next, message: { kind: 'firing', status, since: prev?.status === status ? badSince! : at } };
  }
  if (rule.repeatMs !== undefined && next.lastSentAt !== null && at - next.lastSentAt >= rule.repeatMs) {
    next.lastSentAt = at;
    return { next, message: { kind: 'repeat', status, since: badSince! } };
  }
  return { next };
}
