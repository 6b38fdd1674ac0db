import { getJson } from '../api.js';
import { h, replace } from '../dom.js';
import { formatAgo, formatBounds, formatScore, formatTarget, formatValue, formatWhen } from '../format.js';
import { pillarTitle, type PillarDetail } from '../model.js';
import { parsePillarDetail } from '../parse.js';
import { href } from '../params.js';
import { serverNow } from '../clock.js';
import { statusBadge, statusLabel } from '../status.js';
import { notice, stat, type ViewContext } from './common.js';
import { DetailView } from './detail.js';
import { table } from './tables.js';

/** A pillar: its health, its indicators with value vs target, and its score over time. */
export class PillarView extends DetailView<PillarDetail> {
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

  protected render(d: PillarDetail): void {
    const counts = d.counts;
    replace(
      this.head,
      h('div', { class: 'head-title' }, h('h1', null, d.title), statusBadge(d.status)),
      h(
        'div',
        { class: 'stats' },
        stat('Score', h('span', { class: 'stat-value' }, d.score === null ? '—' : formatScore(d.score)), d.score === null ? undefined : 'of 100'),
        stat('Indicators', h('span', { class: 'stat-value' }, String(d.indicators.length)), counts && d.measured ? `${counts.ok} ok · ${counts.warning} warning · ${counts.critical} critical · ${counts.no_data + counts.stale} without data` : undefined),
      ),
      d.reasons.length && d.measured ? h('ul', { class: 'reasons' }, ...d.reasons.map((r) => h('li', null, r))) : null,
    );
    if (!d.measured) {
      replace(
        this.body,
        notice('info', `${d.title} is not measured: ${d.reasons[0] ?? 'no indicator is declared on it'}. Declare an indicator with "pillar: ${this.id}" in the workload file to measure it.`),
      );
      return;
    }
    const { wrap, tbody, more } = table(`Indicators of ${d.title}`, [['Indicator'], ['Status'], ['Value', 'num'], ['Target'], ['Score', 'num'], ['Since']]);
    const now = serverNow();
    for (const i of d.indicators) {
      const target = i.objective
        ? [formatTarget(i.objective, i.unit), formatBounds(i.objective, i.unit)].filter(Boolean).join(' · ')
        : i.slo
          ? `SLO ≥ ${formatValue(i.slo.objective, 'ratio')}`
          : '—';
      tbody.append(
        h(
          'tr',
          { 'data-indicator': i.id },
          h('th', { scope: 'row' }, h('a', { href: href(`/indicators/${i.id}`) }, i.title)),
          h('td', null, statusBadge(i.status)),
          h('td', { class: 'num' }, i.value === null ? statusLabel(i.status) : formatValue(i.value, i.kind === 'slo' ? 'ratio' : i.unit)),
          h('td', null, target),
          h('td', { class: 'num' }, formatScore(i.score)),
          h('td', { class: 'nowrap' }, i.since === null ? '—' : `${formatWhen(i.since, now)} (${formatAgo(now - i.since)})`),
        ),
      );
    }
    if (d.indicators.length === 0) tbody.append(h('tr', null, h('td', { colspan: '6' }, 'No indicators.')));
    replace(this.body, h('section', { class: 'panel table-panel' }, h('h2', { class: 'panel-title' }, 'Indicators'), wrap, more));
    this.fitRows(wrap, [...tbody.rows], more, 'indicators');
  }
}
