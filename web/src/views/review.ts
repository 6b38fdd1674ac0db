import { ApiError, getJson } from '../api.js';
import { serverNow } from '../clock.js';
import { h, replace, type Child } from '../dom.js';
import { formatCalendarDate, formatScore, formatValue, formatWhen, zoneParts } from '../format.js';
import { pillarTitle, PILLARS, type Summary } from '../model.js';
import { href } from '../params.js';
import { parsePlan, parseReview, type Evidence, type Plan, type PlanItem, type Review, type ReviewQuestion, type ReviewSummary } from '../review-data.js';
import { RISKS, RISK_COUNT_WORD, RISK_LABEL, riskBadge, riskCountsText, riskIcon, type RiskCounts } from '../risk.js';
import { statusBadge, statusIcon, statusLabel } from '../status.js';
import { crumbs, notice, stat, type View, type ViewContext } from './common.js';
import { table } from './tables.js';

/**
 * The Well-Architected review (docs/review.md), read-only: every question by pillar with its
 * risk (icon and words), the choices in place, the evidence each evidence-bound choice was
 * decided on (the indicators' statuses and values at the time), the answer's source, drift where
 * a person's answer contradicts the evidence, and the improvement plan. Answering is done with
 * `pillarboard review answer` or the API (a write token), not here. `?pillar=` shows one pillar.
 */

const SOURCE_WORDS = { auto: 'Source: evidence (auto)', manual: 'Source: a person (manual)', mixed: 'Source: evidence and a person (mixed)' } as const;
const NA_WORDS: Record<string, string> = {
  out_of_scope: 'out of scope',
  business_priorities: 'business priorities',
  architecture_constraints: 'architecture constraints',
  other: 'other reasons',
};
const PLAN_STATUS: Record<string, string> = { open: 'Open', in_progress: 'In progress', done: 'Done', accepted: 'Risk accepted' };
const REFRESH_MS = 30_000;

function countsLine(c: RiskCounts, cls = 'review-counts'): HTMLElement {
  return h(
    'span',
    { class: cls, 'aria-label': riskCountsText(c, true) },
    ...RISKS.filter((k) => c[k] > 0).map((k) => h('span', { class: `count risk-count rk-${k}`, 'data-risk': k, 'aria-hidden': 'true' }, riskIcon(k), h('b', null, String(c[k])), ` ${RISK_COUNT_WORD[k]}`)),
  );
}

export class ReviewView implements View {
  readonly el: HTMLElement;
  private readonly message = h('div', { class: 'detail-message', 'aria-live': 'polite' });
  private readonly head = h('section', { class: 'detail-head' });
  private readonly body = h('div', { class: 'review-body' });
  private summary: Summary | null = null;
  private reviewSummary: ReviewSummary | null = null;
  private seenEvaluation: number | null | undefined = undefined;
  private loadedAt = 0;
  private loading = false;
  private destroyed = false;
  private renderedKey = '';
  private data: { review: Review; plan: Plan | null } | null = null;

  constructor(
    private readonly ctx: ViewContext,
    private readonly pillar: string | null,
  ) {
    replace(this.message, notice('loading', 'Loading the review…'));
    const trail: Array<[string, string | null]> = pillar
      ? [['Overview', '/'], ['Well-Architected review', '/review'], [this.pillarName(pillar), null]]
      : [['Overview', '/'], ['Well-Architected review', null]];
    this.el = h('div', { class: 'detail review-page' }, crumbs(trail), this.message, this.head, this.body);
  }

  title(): string {
    return this.pillar ? `Review: ${this.pillarName(this.pillar)}` : 'Well-Architected review';
  }

  parent(): string {
    return this.pillar ? '/review' : '/';
  }

  private pillarName(id: string): string {
    return PILLARS.some(([p]) => p === id) ? pillarTitle(id) : (this.data?.review.lenses.flatMap((l) => l.pillars).find((p) => p.id === id)?.name ?? id);
  }

  update(s: Summary): void {
    this.summary = s;
    if (s.evaluatedAt !== this.seenEvaluation && Date.now() - this.loadedAt >= REFRESH_MS) {
      this.seenEvaluation = s.evaluatedAt;
      void this.load();
    } else if (this.seenEvaluation === undefined) {
      this.seenEvaluation = s.evaluatedAt;
    }
  }

  updateReview(r: ReviewSummary | null): void {
    this.reviewSummary = r;
    if (this.data) this.renderHead(this.data.review);
  }

  private async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.loadedAt = Date.now();
    try {
      const [review, plan] = await Promise.all([
        getJson('/api/review').then(parseReview),
        getJson('/api/review/plan').then(parsePlan, () => null),
      ]);
      if (this.destroyed) return;
      this.data = { review, plan };
      replace(this.message);
      this.render();
    } catch (err) {
      if (this.destroyed) return;
      this.seenEvaluation = undefined;
      this.loadedAt = 0;
      const e = err as Error;
      const missing = e instanceof ApiError && (e.status === 404 || e.status === 503);
      const text = missing
        ? `The review is not available on this server (${e.message}).`
        : `Could not load the review: ${e.message}. ${this.data ? 'Showing what was loaded before; retrying' : 'Retrying'} with the next update.`;
      replace(this.message, notice(missing ? 'info' : 'error', text));
    } finally {
      this.loading = false;
    }
  }

  private render(): void {
    const d = this.data!;
    const key = JSON.stringify(d);
    if (key === this.renderedKey) return;
    this.renderedKey = key;
    // Keep the questions a person opened or closed as they were.
    const open = new Map<string, boolean>();
    for (const el of this.body.querySelectorAll<HTMLDetailsElement>('details[data-question]')) open.set(el.dataset['question']!, el.open);
    this.renderHead(d.review);
    const sections: HTMLElement[] = [this.filterNav(d.review)];
    const many = d.review.lenses.length > 1;
    for (const lens of d.review.lenses) {
      const pillars = lens.pillars.filter((p) => !this.pillar || p.pillar === this.pillar || p.id === this.pillar);
      if (!pillars.length) continue;
      if (many) sections.push(h('h2', { class: 'lens-title' }, lens.name, ' ', countsLine(lens.counts)));
      for (const p of pillars) {
        const questions = lens.questions.filter((q) => q.pillarId === p.id);
        sections.push(
          h(
            'section',
            { class: 'panel review-pillar', 'data-pillar': p.pillar ?? p.id, 'aria-label': `${p.name}: ${riskCountsText(p.counts, true)}` },
            h('div', { class: 'panel-head' }, h('h2', { class: 'panel-title' }, p.name), countsLine(p.counts)),
            h('ol', { class: 'questions' }, ...questions.map((q) => h('li', null, this.question(q, open.get(`${q.lens}/${q.id}`))))),
          ),
        );
      }
    }
    if (d.review.lenses.length === 0) sections.push(notice('info', 'No lens is active for this workload.'));
    sections.push(this.planSection(d.plan));
    replace(this.body, ...sections);
  }

  private renderHead(r: Review): void {
    const totals = r.lenses.reduce((acc, l) => {
      for (const k of RISKS) acc[k] += l.counts[k];
      return acc;
    }, { high: 0, medium: 0, none: 0, unanswered: 0, not_applicable: 0 } as RiskCounts);
    const drift = r.lenses.reduce((n, l) => n + l.drift, 0);
    const milestone = this.reviewSummary?.lastMilestone;
    const now = serverNow();
    replace(
      this.head,
      h('div', { class: 'head-title' }, h('h1', null, this.pillar ? `Review: ${this.pillarName(this.pillar)}` : 'Well-Architected review')),
      h(
        'div',
        { class: 'stats review-totals' },
        ...RISKS.map((k) => stat(RISK_LABEL[k], h('span', { class: `stat-value risk-total rk-${k}`, 'data-risk': k }, riskIcon(k), String(totals[k])))),
        stat('Drift', h('span', { class: `stat-value${drift ? ' drift-total' : ''}` }, drift ? statusIcon('warning') : null, String(drift)), drift ? 'answers the evidence contradicts' : 'no answer contradicts its evidence'),
        milestone ? stat('Last milestone', h('span', { class: 'stat-value stat-text' }, milestone.name), milestone.createdAt ? formatWhen(milestone.createdAt, now) : undefined) : null,
      ),
      h(
        'p',
        { class: 'description' },
        `${r.lenses.map((l) => l.name).join(', ')}: ${r.lenses.reduce((n, l) => n + l.questions.length, 0)} questions. Choices bound to evidence in the workload file follow the indicators at every evaluation; people answer the rest with `,
        h('code', null, 'pillarboard review answer'),
        ' or the API. This page is read-only.',
      ),
      r.bindingProblems.length ? notice('error', `Evidence bindings ignored: ${r.bindingProblems.join('; ')}.`) : null,
    );
  }

  /** "All pillars" and one link per pillar with its counts; the current one marked. */
  private filterNav(r: Review): HTMLElement {
    const seen = new Map<string, { name: string; counts: RiskCounts }>();
    for (const l of r.lenses) {
      for (const p of l.pillars) {
        const id = p.pillar ?? p.id;
        const cur = seen.get(id);
        if (cur) for (const k of RISKS) cur.counts[k] += p.counts[k];
        else seen.set(id, { name: p.pillar ? pillarTitle(p.pillar) : p.name, counts: { ...p.counts } });
      }
    }
    const link = (id: string | null, label: string, counts: RiskCounts | null) =>
      h(
        'li',
        null,
        h('a', { href: href('/review', { pillar: id }), 'aria-current': this.pillar === id ? 'page' : null, 'data-filter': id ?? 'all' }, h('span', { class: 'filter-name' }, label), counts ? countsLine(counts) : null),
      );
    return h('nav', { class: 'review-filter', 'aria-label': 'Pillars of the review' }, h('ul', null, link(null, 'All pillars', null), ...[...seen].map(([id, p]) => link(id, p.name, p.counts))));
  }

  private question(q: ReviewQuestion, wasOpen: boolean | undefined): HTMLElement {
    const drifting = q.drift.length > 0;
    const open = wasOpen ?? (q.risk === 'high' || q.risk === 'medium' || drifting);
    const tags: Child[] = [];
    if (q.source) tags.push(h('span', { class: `tag tag-${q.source}` }, q.source === 'auto' ? 'evidence' : q.source === 'mixed' ? 'evidence + person' : 'person'));
    if (drifting) tags.push(h('span', { class: 'tag tag-drift', 'data-drift': '' }, statusIcon('warning'), 'drift'));
    const evidence = new Map(q.evidence.map((e) => [e.choice, e]));
    const choiceTitle = (id: string) => q.choices.find((c) => c.id === id)?.title ?? id;
    const details = h(
      'details',
      { class: `question rk-${q.risk}`, 'data-question': `${q.lens}/${q.id}`, 'data-risk': q.risk, open },
      h('summary', null, riskBadge(q.risk), h('span', { class: 'q-title' }, q.title), ...tags),
      h(
        'div',
        { class: 'q-body' },
        q.description ? h('p', { class: 'description' }, q.description) : null,
        h('p', { class: 'answer-meta' }, this.answerMeta(q)),
        q.note ? h('p', { class: 'answer-note' }, `Note: ${q.note}`) : null,
        drifting
          ? h(
              'p',
              { class: 'drift-note', role: 'note' },
              statusIcon('warning'),
              h('b', null, 'Drift: '),
              q.drift.map((d) => `the evidence says “${choiceTitle(d.choice)}” is ${d.evidence ? '' : 'not '}in place; the answer says it is ${d.selected ? '' : 'not'}`).join('; ') +
                '. The person’s answer stands until it is cleared (',
              h('code', null, `pillarboard review answer ${q.id} --auto`),
              ').',
            )
          : null,
        q.notApplicable
          ? null
          : h(
              'ul',
              { class: 'choices' },
              ...q.choices.map((c) => {
                const e = evidence.get(c.id);
                const overridden = q.overrides.includes(c.id);
                return h(
                  'li',
                  { class: `choice${c.selected ? ' is-selected' : ''}`, 'data-choice': c.id, 'data-selected': String(c.selected) },
                  h('span', { class: 'choice-mark' }, c.selected ? '✓ in place' : c.none ? '—' : '✗ not in place'),
                  h('span', { class: 'choice-title' }, c.title),
                  c.bound ? h('span', { class: 'tag tag-bound' }, overridden ? 'evidence, overridden by a person' : 'from evidence') : null,
                  e ? this.evidence(e) : null,
                );
              }),
            ),
      ),
    );
    return details;
  }

  private answerMeta(q: ReviewQuestion): Child[] {
    const now = serverNow();
    if (q.notApplicable) return [`Not applicable: ${NA_WORDS[q.reason ?? ''] ?? q.reason ?? 'no reason given'}`, q.answeredBy ? ` (marked by ${q.answeredBy}${q.answeredAt ? `, ${formatWhen(q.answeredAt, now)}` : ''})` : ''];
    if (!q.answered) return ['Not answered yet: no person has answered and no evidence has told.'];
    const parts: Child[] = [q.source ? SOURCE_WORDS[q.source] : 'Answered'];
    if (q.answeredBy) parts.push(` · answered by ${q.answeredBy}${q.answeredAt ? ` on ${formatWhen(q.answeredAt, now)}` : ''}`);
    const inPlace = q.choices.filter((c) => c.selected && !c.none).length;
    const total = q.choices.filter((c) => !c.none).length;
    parts.push(` · ${inPlace} of ${total} practices in place`);
    return parts;
  }

  /** What a bound choice was decided on: the condition, its result, and each indicator it read. */
  private evidence(e: Evidence): HTMLElement {
    const now = serverNow();
    const result = e.result === null ? 'unknown (an indicator has no data; the choice keeps its last result)' : e.result ? 'holds' : 'does not hold';
    const known = new Map((this.summary?.outcomes ?? []).flatMap((o) => o.indicators).map((i) => [i.id, i]));
    return h(
      'div',
      { class: 'evidence', 'data-evidence': e.choice },
      h(
        'p',
        null,
        'Evidence ',
        h('code', null, e.when),
        ` ${result}`,
        e.since !== null && e.holds !== null ? ` · ${e.holds ? 'in place' : 'not in place'} since ${formatWhen(e.since, now)}` : '',
        e.checkedAt !== null ? ` · checked ${formatWhen(e.checkedAt, now)}` : '',
      ),
      e.indicators.length
        ? h(
            'ul',
            { class: 'evidence-indicators' },
            ...e.indicators.map((i) => {
              const info = known.get(i.id);
              const value = i.value === null ? null : formatValue(i.value, info?.unit ?? null);
              return h(
                'li',
                { 'data-indicator': i.id },
                h('a', { href: href(`/indicators/${encodeURIComponent(i.id)}`) }, info?.title ?? i.id),
                ' ',
                i.status ? statusBadge(i.status) : h('span', { class: 'muted' }, 'not evaluated'),
                value !== null ? ` value ${value}` : i.status ? ` (${statusLabel(i.status).toLowerCase()}: no value)` : '',
                i.score !== null ? ` · score ${formatScore(i.score)}` : '',
              );
            }),
          )
        : null,
    );
  }

  private planSection(plan: Plan | null): HTMLElement {
    const head = h('div', { class: 'panel-head' }, h('h2', { class: 'panel-title', id: 'plan' }, 'Improvement plan'));
    if (!plan) return h('section', { class: 'panel plan-panel' }, head, notice('error', 'The improvement plan could not be loaded.'));
    const items = plan.items.filter((i) => !this.pillar || i.pillar === this.pillar);
    if (!items.length) return h('section', { class: 'panel plan-panel' }, head, h('p', { class: 'panel-sub' }, 'Nothing to improve: no question is at high or medium risk.'));
    head.append(h('span', { class: 'panel-sub' }, `${plan.counts.high} high, ${plan.counts.medium} medium`));
    const { wrap, tbody } = table('Improvement plan: questions at high or medium risk, high first', [['Risk'], ['Question'], ['Improvements'], ['Owner'], ['Due'], ['Status']]);
    for (const i of items) tbody.append(this.planRow(i));
    return h('section', { class: 'panel plan-panel' }, head, wrap);
  }

  private planRow(i: PlanItem): HTMLElement {
    const today = zoneParts(serverNow());
    const todayKey = `${today.year}-${String(today.month).padStart(2, '0')}-${String(today.day).padStart(2, '0')}`;
    const overdue = i.due !== null && i.due < todayKey && i.status !== 'done' && i.status !== 'accepted';
    return h(
      'tr',
      { 'data-question': `${i.lens}/${i.question}` },
      h('td', null, riskBadge(i.risk)),
      h('th', { scope: 'row' }, i.title, h('span', { class: 'sub' }, i.pillar ? pillarTitle(i.pillar) : i.pillarName), i.drift ? h('span', { class: 'tag tag-drift' }, statusIcon('warning'), 'drift') : null),
      h(
        'td',
        null,
        h(
          'ul',
          { class: 'improvements' },
          ...i.improvements.map((m) =>
            h(
              'li',
              null,
              h('b', null, m.title),
              ': ',
              m.text,
              m.url ? [' ', h('a', { href: m.url, target: '_blank', rel: 'noopener noreferrer' }, 'how ↗')] : null,
              ...m.resources.filter((r) => r.url).map((r) => [' · ', h('a', { href: r.url!, target: '_blank', rel: 'noopener noreferrer' }, `${r.text} ↗`)]),
            ),
          ),
        ),
        i.note ? h('p', { class: 'answer-note' }, `Note: ${i.note}`) : null,
        i.actionItems.length ? h('p', { class: 'sub' }, `Action items: ${i.actionItems.map((a) => `${a.title ?? a.ref} (${a.status})`).join(', ')}`) : null,
      ),
      h('td', null, i.owner ?? h('span', { class: 'muted' }, 'nobody yet')),
      h('td', { class: 'nowrap' }, i.due ? [formatCalendarDate(i.due), overdue ? h('span', { class: 'overdue' }, statusIcon('critical'), 'overdue') : null] : h('span', { class: 'muted' }, 'not set')),
      h('td', { class: 'nowrap', 'data-status': i.status }, PLAN_STATUS[i.status] ?? i.status),
    );
  }

  destroy(): void {
    this.destroyed = true;
  }
}
