import { randomUUID } from 'node:crypto';
import type { EvaluationSnapshot, IndicatorSnapshot } from '../evaluation/snapshot.js';
import type { DeliveryMessage } from '../reports/channels.js';
import { formatDuration, formatPercent, formatScore, formatTarget, formatValue } from '../scoring/format.js';
import { PILLAR_TITLES } from '../scoring/pillar-info.js';
import type { Pillar, Status } from '../scoring/types.js';
import type { MessageKind, Subject } from './rules.js';
import type { SubjectKind } from './settings.js';

/**
 * The one formatter of notifications: what changed, since when, the value against its target
 * in words, the indicators that pulled it down, and a link to its dashboard page. The content
 * is computed once, when the message is decided, and stored (a restart sends exactly that);
 * every channel renders it from here.
 */

export interface NotificationContent {
  /**
   * The message's stable id (`pillarboard-<uuid>`), made when it is decided and stored with it:
   * every attempt and a resend after a restart carry the same, for receivers to drop copies.
   * Absent from messages stored before ids existed (the engine then uses the row id).
   */
  id?: string;
  rule: string;
  kind: MessageKind;
  workload: { id: string; title: string };
  subject: { kind: SubjectKind; id: string; title: string };
  status: Status;
  /** The status before the change, when known. */
  previous: Status | null;
  /** ms epoch: when the status began (firing, repeat) or when it recovered. */
  since: number;
  /** ms epoch of the evaluation that decided it. */
  at: number;
  /** `no_data` only: since when the status that fired held (the alert it keeps active began then). */
  firingSince?: number;
  /** One sentence: the value against its target, or the score. */
  measure: string;
  /** Indicators that pulled it down, worst first (outcomes and pillars). */
  causes: Array<{ id: string; title: string; status: Status; measure: string }>;
  link: string | null;
}

const STATUS_WORDS: Record<Status, string> = { ok: 'OK', warning: 'warning', critical: 'critical', no_data: 'without data', stale: 'stale (its data stopped)' };
const KIND_WORDS: Record<SubjectKind, string> = { outcome: 'Outcome', pillar: 'Pillar', indicator: 'Indicator' };
const PATHS: Record<SubjectKind, string> = { outcome: 'outcomes', pillar: 'pillars', indicator: 'indicators' };

/** "820 ms against a target of ≤ 500 ms (critical at 1 s)" — or why there is no value. */
export function indicatorMeasure(i: IndicatorSnapshot): string {
  if (i.value === null) return i.reason;
  if (i.slo) {
    const budget = i.slo.budgetRemaining === null ? '' : `, ${formatPercent(Math.max(i.slo.budgetRemaining, 0))} of the error budget left`;
    return `${formatPercent(i.value)} good against an objective of ${formatPercent(i.slo.objective)} over ${formatDuration(i.slo.windowMs)}${budget}`;
  }
  if (!i.objective) return formatValue(i.value, i.unit);
  return `${formatValue(i.value, i.unit)} against a target of ${formatTarget(i.objective, i.unit)}`;
}

export interface ContentInput {
  rule: string;
  kind: MessageKind;
  subject: Subject;
  previous: Status | null;
  since: number;
  firingSince?: number;
  workload: { id: string; title: string };
  baseUrl?: string;
}

/** Indicators and outcomes by id, built once per snapshot (a pass may decide hundreds of messages). */
const indexes = new WeakMap<EvaluationSnapshot, { indicators: Map<string, IndicatorSnapshot>; outcomes: Map<string, EvaluationSnapshot['outcomes'][number]> }>();
function indexOf(s: EvaluationSnapshot) {
  let ix = indexes.get(s);
  if (!ix) indexes.set(s, (ix = { indicators: new Map(s.indicators.map((i) => [i.id, i])), outcomes: new Map(s.outcomes.map((o) => [o.id, o])) }));
  return ix;
}

/** The content of a message about `input.subject`, read from the snapshot that decided it. */
export function buildContent(input: ContentInput, s: EvaluationSnapshot, messageId: string = `pillarboard-${randomUUID()}`): NotificationContent {
  const { indicators, outcomes } = indexOf(s);
  const { kind, id } = input.subject;
  let title = id;
  let measure = '';
  let contributions: Array<{ id: string; status: Status; cost: number | null }> = [];
  if (kind === 'indicator') {
    const i = indicators.get(id);
    title = i?.title ?? id;
    measure = i ? indicatorMeasure(i) : '';
  } else if (kind === 'outcome') {
    const o = outcomes.get(id);
    title = o?.title ?? id;
    measure = !o ? '' : o.score === null ? 'no score, nothing of it is measured' : `score ${formatScore(o.score)} of 100`;
    contributions = o?.contributions ?? [];
  } else {
    const p = s.pillars[id as Pillar];
    title = PILLAR_TITLES[id as Pillar] ?? id;
    measure = !p ? '' : p.score === null ? 'no health score, nothing of it is measured' : `health ${formatScore(p.score)} of 100`;
    contributions = p?.contributions ?? [];
  }
  const causes = contributions
    .filter((c) => c.status !== 'ok')
    .sort((a, b) => (b.cost ?? -1) - (a.cost ?? -1))
    .slice(0, 5)
    .map((c) => {
      const i = indicators.get(c.id);
      return { id: c.id, title: i?.title ?? c.id, status: c.status, measure: i ? indicatorMeasure(i) : '' };
    });
  return {
    id: messageId,
    rule: input.rule,
    kind: input.kind,
    workload: input.workload,
    subject: { kind, id, title },
    status: input.subject.status,
    previous: input.previous,
    since: input.since,
    at: s.at,
    ...(input.firingSince !== undefined && { firingSince: input.firingSince }),
    measure,
    causes,
    link: input.baseUrl ? `${input.baseUrl}/${PATHS[kind]}/${encodeURIComponent(id)}` : null,
  };
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** "Outcome “Customers can buy” is critical" / "… recovered: OK". */
export function headlineOf(c: NotificationContent): string {
  const what = `${KIND_WORDS[c.subject.kind]} “${c.subject.title}”`;
  if (c.kind === 'recovery') return `${what} recovered: ${STATUS_WORDS[c.status]}`;
  if (c.kind === 'no_data') return `${what} is no longer measured`;
  return `${what} is ${STATUS_WORDS[c.status]}${c.kind === 'repeat' ? ' (still)' : ''}`;
}

/** The lines every channel shows, in order. */
export function linesOf(c: NotificationContent): string[] {
  const lines: string[] = [];
  if (c.kind === 'recovery') lines.push(`Recovered at ${utc(c.since)}${c.previous ? `; it was ${STATUS_WORDS[c.previous]}` : ''}.`);
  else if (c.kind === 'no_data')
    lines.push(
      `No longer measured since ${utc(c.since)}: ${STATUS_WORDS[c.status]}.${c.previous ? ` It was ${STATUS_WORDS[c.previous]}, and counts as ${STATUS_WORDS[c.previous]} until it is measured again; a recovery is sent only then.` : ''}`,
    );
  else lines.push(`${STATUS_WORDS[c.status][0]!.toUpperCase()}${STATUS_WORDS[c.status].slice(1)} since ${utc(c.since)} (${formatDuration(Math.max(0, c.at - c.since))} ago)${c.previous && c.previous !== c.status ? `; it was ${STATUS_WORDS[c.previous]}` : ''}.`);
  if (c.measure) lines.push(`Now: ${c.measure}.`);
  if (c.causes.length > 0 && c.kind !== 'recovery') {
    lines.push(c.kind === 'no_data' ? 'Its indicators:' : 'Pulled down by:');
    for (const x of c.causes) lines.push(`- ${x.title}: ${STATUS_WORDS[x.status]}${x.measure ? ` — ${x.measure}` : ''}`);
  }
  return lines;
}

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The content in every channel's form (e-mail text and HTML, chat text, JSON). */
export function renderMessage(c: NotificationContent): DeliveryMessage {
  const headline = headlineOf(c);
  const lines = linesOf(c);
  const subject = `[${c.workload.title}] ${headline}`;
  const markdown = [`# ${headline}`, '', ...lines, ...(c.link ? ['', `Dashboard: ${c.link}`] : [])].join('\n') + '\n';
  const list = lines.filter((l) => l.startsWith('- '));
  const paras = lines.filter((l) => !l.startsWith('- '));
  const html = [
    `<!doctype html><html><body><h1>${esc(headline)}</h1>`,
    ...paras.map((p) => `<p>${esc(p)}</p>`),
    list.length ? `<ul>${list.map((l) => `<li>${esc(l.slice(2))}</li>`).join('')}</ul>` : '',
    c.link ? `<p><a href="${esc(c.link)}">Open in Pillarboard</a></p>` : '',
    '</body></html>',
  ].join('');
  const chat = [`*${headline}*`, ...lines, ...(c.link ? [`<${c.link}|Open in Pillarboard>`] : [])].join('\n');
  return {
    subject,
    markdown,
    html,
    chat,
    attachments: [],
    ...(c.id !== undefined && { id: c.id }),
    ...(c.link ? { link: c.link } : {}),
    json: { event: 'pillarboard.notification', headline, text: lines.join('\n'), ...c },
  };
}
