import type { StoredEvent } from '../events/types.js';
import type { Pillar } from '../scoring/types.js';
import type { CompiledLens } from './lens/compile.js';
import type { LensLink } from './lens/format.js';
import type { ImprovementRow, PlanStatus } from './store.js';
import type { LensReview } from './view.js';

/**
 * The improvement plan: every question at high or medium risk, with the improvement-plan text of
 * each best practice not yet in place, an owner, a due date, a status, and the action items
 * (events of kind `action_item`) linked to it. Exports as JSON, CSV and Markdown.
 */

export interface PlanActionItem {
  /** "source:externalId" */
  ref: string;
  title: string | null;
  status: string;
  closedAt: string | null;
}

export interface PlanImprovement {
  choice: string;
  title: string;
  text: string;
  url: string | null;
  resources: LensLink[];
}

export interface PlanItem {
  lens: string;
  lensName: string;
  pillar: Pillar | null;
  pillarId: string;
  pillarName: string;
  question: string;
  title: string;
  risk: 'high' | 'medium';
  drift: boolean;
  improvements: PlanImprovement[];
  owner: string | null;
  due: string | null;
  status: PlanStatus;
  note: string | null;
  actionItems: PlanActionItem[];
}

export interface ImprovementPlan {
  generatedAt: string;
  workload: { id: string; title: string } | null;
  counts: { high: number; medium: number };
  items: PlanItem[];
}

export const actionItemRef = (e: Pick<StoredEvent, 'source' | 'externalId'>) => `${e.source}:${e.externalId}`;

/** Linked: referenced by the item, or the event names the question (`attrs.reviewQuestion`, optionally `attrs.lens`). */
function linkedActionItems(lens: string, question: string, refs: readonly string[], events: readonly StoredEvent[]): PlanActionItem[] {
  return events
    .filter((e) => {
      if (refs.includes(actionItemRef(e))) return true;
      const a = e.attrs ?? {};
      return a.reviewQuestion === question && (a.lens === undefined || a.lens === lens);
    })
    .map((e) => {
      const attrStatus = typeof e.attrs?.status === 'string' ? e.attrs.status : undefined;
      return {
        ref: actionItemRef(e),
        title: e.title ?? null,
        status: e.status ?? attrStatus ?? (e.endedAt !== undefined ? 'closed' : 'open'),
        closedAt: e.endedAt !== undefined ? new Date(e.endedAt).toISOString() : null,
      };
    });
}

export function buildPlan(input: {
  lenses: ReadonlyMap<string, CompiledLens>;
  reviews: readonly LensReview[];
  rows: readonly ImprovementRow[];
  actionItems: readonly StoredEvent[];
  workload: { id: string; title: string } | null;
  now: number;
}): ImprovementPlan {
  const rows = new Map(input.rows.map((r) => [`${r.lensId}\u0000${r.questionId}`, r]));
  const items: PlanItem[] = [];
  for (const review of input.reviews) {
    const lens = input.lenses.get(review.id);
    if (!lens) continue;
    for (const q of review.questions) {
      if (q.risk !== 'high' && q.risk !== 'medium') continue;
      const cq = lens.questions.get(q.id)!;
      const selected = new Set(q.selected);
      const improvements = cq.question.choices
        .filter((c) => !selected.has(c.id) && c.id !== cq.noneChoice && c.improvementPlan)
        .map((c) => ({
          choice: c.id,
          title: c.title,
          text: c.improvementPlan!.displayText,
          url: c.improvementPlan!.url ?? null,
          resources: (c.additionalResources ?? []).filter((r) => r.type === 'IMPROVEMENT_PLAN').flatMap((r) => r.content ?? []),
        }));
      const row = rows.get(`${review.id}\u0000${q.id}`);
      items.push({
        lens: review.id,
        lensName: review.name,
        pillar: q.pillar,
        pillarId: q.pillarId,
        pillarName: q.pillarName,
        question: q.id,
        title: q.title,
        risk: q.risk,
        drift: q.drift.length > 0,
        improvements,
        owner: row?.owner ?? null,
        due: row?.due ?? null,
        status: row?.status ?? 'open',
        note: row?.note ?? null,
        actionItems: linkedActionItems(review.id, q.id, row?.actionItems ?? [], input.actionItems),
      });
    }
  }
  // High before medium; otherwise the lens's own order (stable sort).
  items.sort((a, b) => (a.risk === b.risk ? 0 : a.risk === 'high' ? -1 : 1));
  return {
    generatedAt: new Date(input.now).toISOString(),
    workload: input.workload,
    counts: { high: items.filter((i) => i.risk === 'high').length, medium: items.filter((i) => i.risk === 'medium').length },
    items,
  };
}

const CSV_COLUMNS = ['lens', 'pillar', 'question_id', 'question', 'risk', 'owner', 'due', 'status', 'improvement_plan', 'action_items', 'drift'] as const;

/**
 * RFC 4180 CSV (CRLF, quoted where needed). A cell that a spreadsheet would run as a formula
 * (starting with = + - @, tab or CR) is prefixed with ' so opening the file runs nothing.
 */
export function planCsv(plan: ImprovementPlan): string {
  const cell = (v: string) => {
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [CSV_COLUMNS.join(',')];
  for (const i of plan.items) {
    lines.push(
      [
        i.lens,
        i.pillar ?? i.pillarId,
        i.question,
        i.title,
        i.risk,
        i.owner ?? '',
        i.due ?? '',
        i.status,
        i.improvements.map((m) => `${m.title}: ${m.text}`).join('\n'),
        i.actionItems.map((a) => `${a.ref} (${a.status})`).join('; '),
        i.drift ? 'yes' : 'no',
      ]
        .map(cell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** Text for Markdown: characters that would format are escaped, line breaks become spaces. */
function md(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

const safeUrl = (u: string | null) => (u && /^https?:\/\//.test(u) ? u.replace(/[()\s]/g, encodeURIComponent) : null);

export function planMarkdown(plan: ImprovementPlan): string {
  const out: string[] = [];
  out.push(`# Improvement plan${plan.workload ? ` — ${md(plan.workload.title)}` : ''}`, '');
  out.push(`Generated ${plan.generatedAt}: ${plan.counts.high} high and ${plan.counts.medium} medium risks.`, '');
  if (plan.items.length === 0) out.push('No high or medium risks.', '');
  for (const risk of ['high', 'medium'] as const) {
    const items = plan.items.filter((i) => i.risk === risk);
    if (items.length === 0) continue;
    out.push(`## ${risk === 'high' ? 'High' : 'Medium'} risk`, '');
    for (const i of items) {
      out.push(`### ${md(i.pillarName)}: ${md(i.title)}`, '');
      out.push(`Lens ${md(i.lensName)}, question \`${i.question}\` · owner ${i.owner ? md(i.owner) : '—'} · due ${i.due ?? '—'} · status ${i.status}${i.drift ? ' · **drift**: the evidence contradicts the answer' : ''}`, '');
      if (i.note) out.push(`> ${md(i.note)}`, '');
      for (const m of i.improvements) {
        const url = safeUrl(m.url);
        out.push(`- **${md(m.title)}** — ${md(m.text)}${url ? ` ([more](${url}))` : ''}`);
      }
      if (i.improvements.length > 0) out.push('');
      if (i.actionItems.length > 0) {
        out.push(`Action items: ${i.actionItems.map((a) => `${md(a.title ?? a.ref)} (${a.status})`).join('; ')}`, '');
      }
    }
  }
  return out.join('\n').trimEnd() + '\n';
}
