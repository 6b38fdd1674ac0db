import { getJson } from '../api.js';
import { serverNow } from '../clock.js';
import { h, replace } from '../dom.js';
import { formatAgo, formatBounds, formatDuration, formatPercent, formatScore, formatTarget, formatValue, formatWhen } from '../format.js';
import { pillarTitle, type IndicatorDetail, type Objective } from '../model.js';
import { parseIndicatorDetail } from '../parse.js';
import { href } from '../params.js';
import { statusBadge, statusLabel } from '../status.js';
import { stat, type ViewContext } from './common.js';
import { DetailView } from './detail.js';
import { table } from './tables.js';
import { budgetBar } from './budget.js';
import { windowWords } from '../coverage.js';

/**
 * One indicator: value against its target, the value over time with the warning and
 * critical bands, its status transitions, its SLO budget and burn rates, and the runbook.
 */
export class IndicatorView extends DetailView<IndicatorDetail> {
  private name: string;
  private pillar: string | null = null;

  constructor(ctx: ViewContext, private readonly id: string, known: { title: string; pillar: string | null } | null) {
    super(ctx, known?.pillar ? [['Overview', '/'], [pillarTitle(known.pillar), `/pillars/${known.pillar}`], [known.title, null]] : [['Overview', '/'], [known?.title ?? id, null]]);
    this.name = known?.title ?? id;
    this.pillar = known?.pillar ?? null;
  }

  title(): string {
    return this.name;
  }

  parent(): string {
    return this.pillar ? `/pillars/${this.pillar}` : '/';
  }

  protected subject(): string {
    return `indicator:${this.id}`;
  }

  protected what(): string {
    return `indicator "${this.id}"`;
  }

  protected async load(): Promise<IndicatorDetail> {
    return parseIndicatorDetail(await getJson(`/api/indicators/${encodeURIComponent(this.id)}`, { limit: '50' }), this.id);
  }

  private unit(d: IndicatorDetail): string | null {
    return d.kind === 'slo' ? 'ratio' : d.unit;
  }

  private objective(d: IndicatorDetail): Objective | null {
    if (d.objective) return d.objective;
    if (d.slo) return { target: d.slo.objective, direction: 'min', warning: null, critical: null };
    return null;
  }

  protected history(d: IndicatorDetail) {
    const unit = this.unit(d);
    return {
      path: `/api/indicators/${encodeURIComponent(this.id)}/history`,
      query: { metric: 'value' },
      title: d.kind === 'slo' ? 'Attainment (good events ÷ all events over the SLO window)' : `Value${d.unit ? ` (${d.unit})` : ''}`,
      chart: { label: d.title, format: (v: number) => formatValue(v, unit) },
      objective: this.objective(d),
    };
  }

  protected render(d: IndicatorDetail): void {
    this.name = d.title;
    this.pillar = d.pillar;
    this.setTrail(d.pillar ? [['Overview', '/'], [pillarTitle(d.pillar), `/pillars/${d.pillar}`], [d.title, null]] : [['Overview', '/'], [d.title, null]]);
    const outcomeTitle = (id: string) => this.summary?.outcomes.find((o) => o.id === id)?.title ?? id;
    const unit = this.unit(d);
    const now = serverNow();
    const o = this.objective(d);
    // Every windowed figure says how much of its window the stored history covers.
    const over = windowWords(d.windowSeconds, d.windowCoverage);
    replace(
      this.head,
      h('div', { class: 'head-title' }, h('h1', null, d.title), statusBadge(d.status), d.runbook ? h('a', { class: 'runbook', href: d.runbook, target: '_blank', rel: 'noopener noreferrer' }, 'Open runbook ↗') : null),
      h(
        'div',
        { class: 'stats' },
        stat('Value', h('span', { class: 'stat-value' }, d.value === null ? statusLabel(d.status) : formatValue(d.value, unit)), d.value === null ? undefined : (over ?? undefined)),
        o ? stat('Target', h('span', { class: 'stat-value' }, formatTarget(o, unit)), formatBounds(o, unit) || undefined) : null,
        stat('Score', h('span', { class: 'stat-value' }, formatScore(d.score)), d.score === null ? undefined : 'of 100'),
        d.since !== null ? stat(`${statusLabel(d.status)} since`, h('span', { class: 'stat-value' }, formatWhen(d.since, now)), formatAgo(now - d.since)) : null,
      ),
      d.reason ? h('p', { class: 'reason' }, d.reason) : null,
      d.description ? h('p', { class: 'description' }, d.description) : null,
      h(
        'p',
        { class: 'meta-line' },
        d.pillar ? ['Pillar: ', h('a', { href: href(`/pillars/${d.pillar}`) }, pillarTitle(d.pillar))] : null,
        d.outcomes.length ? [' · Serves: ', ...d.outcomes.flatMap((id, i) => [i ? ', ' : '', h('a', { href: href(`/outcomes/${id}`) }, outcomeTitle(id))])] : null,
        d.weight !== null ? ` · Weight in its pillar: ${formatScore(d.weight)}` : null,
      ),
    );

    const sections: HTMLElement[] = [];
    if (d.slo) {
      const s = d.slo;
      const { wrap, tbody, label: labelBurn } = table('Burn rates', [['Window'], ['Burn rate', 'num']]);
      for (const [w, r] of s.burnRates) tbody.append(h('tr', null, h('th', { scope: 'row' }, w), h('td', { class: 'num' }, r === null ? 'no data' : `${formatValue(r, '')}×`)));
      labelBurn();
      sections.push(
        h(
          'section',
          { class: 'panel slo-panel' },
          h('h2', { class: 'panel-title' }, 'Service level objective'),
          h(
            'div',
            { class: 'stats' },
            stat('Objective', h('span', { class: 'stat-value' }, formatPercent(s.objective)), s.windowSeconds ? `over ${formatDuration(s.windowSeconds * 1000)}` : undefined),
            stat('Attainment', h('span', { class: 'stat-value' }, formatPercent(s.attainment)), s.attainment === null ? undefined : (over ?? undefined)),
            s.budgetRemaining !== null ? stat('Error budget', budgetBar(s.budgetRemaining, d.id), over ?? undefined) : stat('Error budget', h('span', { class: 'stat-value' }, 'no data')),
            stat('Alert', h('span', { class: 'stat-value stat-text' }, s.alertState ?? '—'), 'from the multiwindow burn rates'),
          ),
          s.burnRates.length ? wrap : null,
        ),
      );
    }
    const { wrap, tbody, more, label } = table('Status transitions, newest first', [['When'], ['Change'], ['Value', 'num'], ['Reason']]);
    for (const t of d.transitions) {
      tbody.append(
        h(
          'tr',
          null,
          h('td', { class: 'nowrap' }, t.at === null ? '—' : `${formatWhen(t.at, now)} (${formatAgo(now - t.at)})`),
          h('td', { class: 'change' }, t.from ? statusBadge(t.from) : h('span', { class: 'muted' }, 'first evaluation'), h('span', { class: 'arrow', 'aria-label': 'to' }, ' → '), statusBadge(t.to)),
          h('td', { class: 'num' }, t.value === null ? '—' : formatValue(t.value, unit)),
          h('td', null, t.reason ?? ''),
        ),
      );
    }
    if (d.transitions.length === 0) tbody.append(h('tr', null, h('td', { colspan: '4' }, 'No status changes recorded yet.')));
    label();
    sections.push(h('section', { class: 'panel table-panel' }, h('h2', { class: 'panel-title' }, 'Status transitions'), wrap, more));
    replace(this.body, ...sections);
    this.fitRows(wrap, [...tbody.rows], more, 'transitions');
  }
}
