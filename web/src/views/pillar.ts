import { getJson } from '../api.js';
import { h, replace } from '../dom.js';
import { formatAgo, formatBounds, formatScore, formatTarget, formatValue, formatWhen } from '../format.js';
import { pillarTitle, type IndicatorInfo, type PillarDetail } from '../model.js';
import { partialWindow } from '../coverage.js';
import { parsePillarDetail } from '../parse.js';
import { href } from '../params.js';
import { serverNow } from '../clock.js';
import { statusBadge, statusLabel } from '../status.js';
import type { ReviewSummary } from '../review-data.js';
import { RISKS, RISK_COUNT_WORD, riskCountsText, riskIcon } from '../risk.js';
import { notice, stat, worstFirst, type ViewContext } from './common.js';
import { DetailView } from './detail.js';
import { table } from './tables.js';
import { JUDGED, coverageText } from './pillar-tile.js';

/** A pillar: its health, its indicators with value vs target, and its score over time. */
export class PillarView extends DetailView<PillarDetail> {
  /** The review's risk counts for this pillar, kept across re-renders of the head. */
  private readonly reviewStat = h('div', { class: 'stat review-stat', hidden: true });
  private reviewKey = '';

  constructor(ctx: ViewContext, private readonly id: string) {
    super(ctx, [
      ['Overview', '/'],
      [pillarTitle(id), null],
    ]);
  }

  title(): string {
    return pillarTitle(this.id);
  }

  parent(): string {
    return '/';
  }

  protected subject(): string {
    return `pillar:${this.id}`;
  }

  protected what(): string {
    return `pillar ${pillarTitle(this.id)}`;
  }

  protected async load(): Promise<PillarDetail> {
    return parsePillarDetail(await getJson(`/api/pillars/${encodeURIComponent(this.id)}`), this.id);
  }

  protected history(d: PillarDetail) {
    if (!d.measured) return null;
    return {
      path: `/api/pillars/${encodeURIComponent(this.id)}/history`,
      title: 'Health score',
      chart: { label: 'Score', format: (v: number) => formatScore(v), min: 0, max: 100 },
    };
  }

  /** "Review risks: ◆ 2 high ▲ 0 medium …", every count shown, with a link to the review's questions on this pillar. */
  updateReview(r: ReviewSummary | null): void {
    const p = r?.pillars.get(this.id);
    const key = p && p.questions > 0 ? RISKS.map((k) => p.counts[k]).join(',') : '';
    if (key === this.reviewKey) return;
    this.reviewKey = key;
    this.reviewStat.hidden = key === '';
    if (!p || key === '') {
      this.reviewStat.replaceChildren();
      return;
    }
    replace(
      this.reviewStat,
      h('span', { class: 'stat-label' }, 'Review risks'),
      h(
        'span',
        { class: 'review-counts review-counts-full', 'aria-label': `Well-Architected review: ${riskCountsText(p.counts, true)}` },
        ...RISKS.map((k) => h('span', { class: `count risk-count rk-${k}`, 'data-risk': k }, riskIcon(k), h('b', null, String(p.counts[k])), ` ${RISK_COUNT_WORD[k]}`)),
      ),
      h('a', { class: 'stat-extra', href: href('/review', { pillar: this.id }) }, `${p.questions} questions — open the review`),
    );
  }

  protected render(d: PillarDetail): void {
    const counts = d.counts;
    // A number only beside a status that judges it (docs/scoring.md, "Coverage").
    const score = d.score !== null && JUDGED.has(d.status) ? d.score : null;
    const docsLink = d.docs ? h('a', { class: 'docs-link', href: d.docs }, 'How pillars are measured') : null;
    replace(
      this.head,
      h('div', { class: 'head-title' }, h('h1', null, d.title), statusBadge(d.status)),
      d.description ? h('p', { class: 'pillar-about' }, d.description) : null,
      h(
        'div',
        { class: 'stats' },
        score === null
          ? stat('Score', h('span', { class: 'stat-value stat-none' }, 'none'), d.measured ? 'no indicator has data' : 'not measured')
          : stat('Score', h('span', { class: 'stat-value' }, formatScore(score)), `of 100${d.coverage ? ` · ${coverageText(d.coverage)}` : ''}`),
        stat('Indicators', h('span', { class: 'stat-value' }, String(d.indicators.length)), counts && d.measured ? `${counts.ok} ok · ${counts.warning} warning · ${counts.critical} critical · ${counts.no_data + counts.stale} without data` : undefined),
        this.reviewStat,
      ),
      d.reasons.length && d.measured ? h('ul', { class: 'reasons' }, ...d.reasons.map((r) => h('li', null, r))) : null,
      score === null && d.measured && docsLink ? h('p', null, docsLink) : null,
    );
    if (!d.measured) {
      const n = notice('info', `${d.title} is not measured: ${d.reasons[0] ?? `no indicator is declared on it: declare an indicator with "pillar: ${this.id}" in the workload file to measure it`}. `);
      if (docsLink) n.append(docsLink);
      replace(this.body, n);
      return;
    }
    const { wrap, tbody, more, label } = table(`Indicators of ${d.title}`, [['Indicator'], ['Status'], ['Value', 'num'], ['Target'], ['Score', 'num'], ['Since']]);
    const now = serverNow();
    // A wall screen that cannot show every row shows the ones that are not OK.
    for (const i of this.ctx.kiosk ? worstFirst(d.indicators) : d.indicators) {
      // Short targets ("≤ 1%"); the warning and critical bounds under them, not on a TV.
      const bounds = i.objective && !this.ctx.kiosk ? formatBounds(i.objective, i.unit) : '';
      const target = i.objective ? formatTarget(i.objective, i.unit) : i.slo ? `≥ ${formatValue(i.slo.objective, 'ratio')} (SLO)` : '—';
      tbody.append(
        h(
          'tr',
          { 'data-indicator': i.id, 'data-status': i.status },
          h('th', { scope: 'row' }, h('a', { href: href(`/indicators/${i.id}`) }, i.title)),
          h('td', null, statusBadge(i.status)),
          h('td', { class: 'num' }, i.value === null ? statusLabel(i.status) : [formatValue(i.value, i.kind === 'slo' ? 'ratio' : i.unit), partialWindow(i)]),
          h('td', { class: 'target' }, target, bounds ? h('span', { class: 'sub' }, bounds) : null),
          h('td', { class: 'num' }, formatScore(i.score)),
          // On a TV the time alone: the age beside it would widen the column and wrap the titles.
          h('td', { class: 'nowrap' }, i.since === null ? '—' : this.ctx.kiosk ? formatWhen(i.since, now) : `${formatWhen(i.since, now)} (${formatAgo(now - i.since)})`),
        ),
      );
    }
    if (d.indicators.length === 0) tbody.append(h('tr', null, h('td', { colspan: '6' }, 'No indicators.')));
    label();
    replace(this.body, h('section', { class: 'panel table-panel' }, h('h2', { class: 'panel-title' }, 'Indicators'), wrap, more));
    this.fitRows(wrap, [...tbody.rows], more, 'indicators');
  }
}
