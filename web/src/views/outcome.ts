import { partialWindow, windowWords } from '../coverage.js';
import { getJson } from '../api.js';
import { h, replace } from '../dom.js';
import { formatPercent, formatScore, formatValue } from '../format.js';
import { pillarTitle, type OutcomeDetail } from '../model.js';
import { parseOutcomeDetail } from '../parse.js';
import { href } from '../params.js';
import { statusBadge, statusLabel } from '../status.js';
import { notice, stat, worstFirst, type ViewContext } from './common.js';
import { DetailView } from './detail.js';
import { table } from './tables.js';
import { JUDGED, coverageText } from './pillar-tile.js';
import { budgetBar } from './budget.js';

/** A business outcome: attainment, its indicators with their weights and cost, attainment over time. */
export class OutcomeView extends DetailView<OutcomeDetail> {
  private name: string;

  constructor(ctx: ViewContext, private readonly id: string, title: string | null) {
    super(ctx, [
      ['Overview', '/'],
      [title ?? id, null],
    ]);
    this.name = title ?? id;
  }

  title(): string {
    return this.name;
  }

  parent(): string {
    return '/';
  }

  protected subject(): string {
    return `outcome:${this.id}`;
  }

  protected what(): string {
    return `outcome "${this.id}"`;
  }

  protected async load(): Promise<OutcomeDetail> {
    return parseOutcomeDetail(await getJson(`/api/outcomes/${encodeURIComponent(this.id)}`), this.id);
  }

  protected history() {
    return {
      path: `/api/outcomes/${encodeURIComponent(this.id)}/history`,
      title: 'Attainment',
      chart: { label: 'Attainment', format: (v: number) => `${formatScore(v)}%`, min: 0, max: 100 },
    };
  }

  protected render(d: OutcomeDetail): void {
    this.name = d.title;
    // A number only beside a status that judges it (docs/scoring.md, "Coverage").
    const attainment = d.attainment !== null && JUDGED.has(d.status) ? d.attainment : null;
    const sloTitle = d.errorBudget ? (d.indicators.find((i) => i.id === d.errorBudget!.indicator)?.title ?? d.errorBudget.indicator) : '';
    this.setTrail([
      ['Overview', '/'],
      [d.title, null],
    ]);
    replace(
      this.head,
      h('div', { class: 'head-title' }, h('h1', null, d.title), statusBadge(d.status)),
      h(
        'div',
        { class: 'stats' },
        attainment === null
          ? stat('Attainment', h('span', { class: 'stat-value stat-none', 'data-attainment': '' }, 'none'), d.reasons[0] ?? 'no indicator has data')
          : stat('Attainment', h('span', { class: 'stat-value', 'data-attainment': '' }, formatPercent(attainment)), d.coverage ? coverageText(d.coverage) : undefined),
        stat('Owner', h('span', { class: 'stat-value stat-text' }, d.owner ?? 'not set')),
        d.errorBudget ? stat('Error budget', budgetBar(d.errorBudget.budgetRemaining, sloTitle), [`lowest of its SLOs: ${sloTitle}`, windowWords(d.errorBudget.windowSeconds, d.errorBudget.windowCoverage)].filter(Boolean).join(', ')) : null,
      ),
      d.description ? h('p', { class: 'description' }, d.description) : null,
      d.reasons.length ? h('ul', { class: 'reasons' }, ...d.reasons.map((r) => h('li', null, r))) : null,
    );
    if (d.indicators.length === 0) {
      replace(this.body, notice('info', 'This outcome has no indicators, so nothing measures it. Add indicators to it in the workload file.'));
      return;
    }
    const totalWeight = d.indicators.reduce((a, i) => a + (i.weight ?? 0), 0);
    const { wrap, tbody, more, label } = table(`Indicators of ${d.title}`, [['Indicator'], ['Weight', 'num'], ['Key'], ['Status'], ['Value', 'num'], ['Score', 'num'], ['Points lost', 'num']]);
    for (const i of this.ctx.kiosk ? worstFirst(d.indicators) : d.indicators) {
      tbody.append(
        h(
          'tr',
          { 'data-indicator': i.id, 'data-status': i.status },
          h('th', { scope: 'row' }, h('a', { href: href(`/indicators/${i.id}`) }, i.title), i.pillar ? h('span', { class: 'sub' }, pillarTitle(i.pillar)) : null),
          h('td', { class: 'num' }, i.weight === null ? '—' : `${formatScore(i.weight)}${totalWeight > 0 ? ` (${Math.round((100 * i.weight) / totalWeight)}%)` : ''}`),
          h('td', null, i.key ? h('span', { class: 'key-flag' }, 'key') : '—'),
          h('td', null, statusBadge(i.status)),
          // On a TV the seven columns have no room for it; the error budget above says the coverage.
          h('td', { class: 'num' }, i.value === null ? statusLabel(i.status) : [formatValue(i.value, i.unit), this.ctx.kiosk ? null : partialWindow(i)]),
          h('td', { class: 'num' }, formatScore(i.score)),
          h('td', { class: 'num' }, i.cost === null ? '—' : formatScore(i.cost)),
        ),
      );
    }
    label();
    replace(
      this.body,
      h(
        'section',
        { class: 'panel table-panel' },
        h('h2', { class: 'panel-title' }, 'Indicators'),
        h('p', { class: 'panel-sub' }, 'Attainment is the weighted mean of these scores; a key indicator that is critical makes the outcome critical. Points lost: what each costs the attainment.'),
        wrap,
        more,
      ),
    );
    this.fitRows(wrap, [...tbody.rows], more, 'indicators');
  }
}
