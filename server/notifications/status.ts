import type { EvaluationSnapshot } from '../evaluation/snapshot.js';
import { PILLARS } from '../scoring/types.js';
import type { NotificationRule, NotificationSettings, SubjectKind } from './settings.js';
import { silencing, type Silence } from './silences.js';

/**
 * What the dashboard shows of notifications, as pure functions over plain data: the silences
 * in effect, quiet hours in effect, each channel's health (a channel whose last attempt failed
 * is failing, with how many attempts in a row and since when), and which outcomes, pillars and
 * indicators are silenced — so the wall screen can say why nobody was told.
 */

/** One channel's delivery record, kept by the store from the attempts table. */
export interface ChannelHealth {
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  /** Failed attempts since the last success (0 when the last attempt succeeded). */
  consecutiveFailures: number;
  /** When the first of those failed attempts was made; null when not failing. */
  failingSince: number | null;
  lastError: string | null;
}

export interface ChannelStatus extends ChannelHealth {
  name: string;
  type: 'email' | 'webhook' | 'alertmanager';
  /** Its last attempt failed. */
  failing: boolean;
  /** Deliveries waiting (a retry, or quiet hours). */
  pending: number;
  /** Deliveries given up after the last retry. */
  failed: number;
}

export interface SilencedSubject {
  kind: SubjectKind;
  id: string;
  /** The silence that covers it (for a subject only silenced through rules: the first of them). */
  silence: number;
}

export interface NotificationStatus {
  /** Silences in effect now, soonest end first. */
  silences: Silence[];
  /** When the quiet hours in effect now end; null outside quiet hours. */
  quietUntil: number | null;
  channels: ChannelStatus[];
  silenced: SilencedSubject[];
}

export const NO_HEALTH: ChannelHealth = { lastAttemptAt: null, lastSuccessAt: null, consecutiveFailures: 0, failingSince: null, lastError: null };

/** Each configured channel with its health and how many deliveries wait or were given up. */
export function channelStatuses(
  settings: NotificationSettings,
  health: ReadonlyMap<string, ChannelHealth>,
  queue: ReadonlyMap<string, { pending: number; failed: number }>,
): ChannelStatus[] {
  return settings.channels.map((c) => {
    const h = health.get(c.name) ?? NO_HEALTH;
    const q = queue.get(c.name) ?? { pending: 0, failed: 0 };
    return { name: c.name, type: c.type, ...h, failing: h.consecutiveFailures > 0, pending: q.pending, failed: q.failed };
  });
}

const watches = (list: readonly string[], id: string) => list.includes('*') || list.includes(id);

function watchList(rule: NotificationRule, kind: SubjectKind): string[] {
  return kind === 'outcome' ? rule.outcomes : kind === 'pillar' ? rule.pillars : rule.indicators;
}

/**
 * The subjects of `snapshot` no message would be sent about now: those a silence names (by id
 * or `*`), and those every rule watching them is silenced as a rule (a subject no rule
 * watches is silenced only by a silence naming it).
 */
export function silencedSubjects(rules: readonly NotificationRule[], silences: readonly Silence[], snapshot: EvaluationSnapshot | null): SilencedSubject[] {
  if (silences.length === 0 || !snapshot) return [];
  const subjects: Array<{ kind: SubjectKind; id: string }> = [
    ...snapshot.outcomes.map((o) => ({ kind: 'outcome' as const, id: o.id })),
    ...PILLARS.map((p) => ({ kind: 'pillar' as const, id: p })),
    ...snapshot.indicators.map((i) => ({ kind: 'indicator' as const, id: i.id })),
  ];
  const out: SilencedSubject[] = [];
  for (const s of subjects) {
    const direct = silences.find((x) => x.kind === s.kind && (x.target === s.id || x.target === '*'));
    if (direct) {
      out.push({ ...s, silence: direct.id });
      continue;
    }
    const watching = rules.filter((r) => watches(watchList(r, s.kind), s.id));
    if (watching.length === 0) continue;
    const bySilence = watching.map((r) => silencing(silences, r.id, s));
    if (bySilence.every((x) => x !== undefined)) out.push({ ...s, silence: bySilence[0]!.id });
  }
  return out;
}
