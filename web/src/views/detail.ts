import { ApiError } from '../api.js';
import { annotationsSummary, fetchAnnotations, isOpen, kindWord, type Annotation } from '../annotations.js';
import { HistoryChart, type HistoryChartOptions } from '../charts.js';
import { serverNow } from '../clock.js';
import { h, replace, setAttr, setHidden, setText } from '../dom.js';
import { formatWeekdayDateTime, timeZone, zoneName } from '../format.js';
import { collectingSince } from '../coverage.js';
import { fetchHistory } from '../history.js';
import type { History, Objective, Summary } from '../model.js';
import { SilenceMark } from './notify.js';
import { crumbs, currentRange, fitChildren, hiddenSummary, notice, RangePicker, RANGES, type RangeKey, type View, type ViewContext } from './common.js';

/**
 * What the pillar, outcome and indicator pages share: load the detail when the page opens
 * and after every new evaluation, a history chart over the chosen range (created once,
 * updated in place), and messages instead of a blank page when something fails. The last
 * good detail stays on screen when a refresh fails.
 */
export abstract class DetailView<D> implements View {
  readonly el: HTMLElement;
  protected detail: D | null = null;
  protected readonly head = h('section', { class: 'detail-head' });
  protected readonly body = h('div', { class: 'detail-body' });
  private readonly message = h('div', { class: 'detail-message', 'aria-live': 'polite' });
  private readonly canvas: HTMLCanvasElement;
  private readonly chartTitle = h('h2', { class: 'panel-title' });
  private readonly chartNote = h('p', { class: 'chart-note' });
  /** "Collecting since 14:10": shown while the series' history is younger than the range. */
  private readonly chartSince = h('p', { class: 'chart-since', hidden: true });
  private readonly chartEmpty = h('p', { class: 'chart-empty', hidden: true });
  private readonly chartPanel: HTMLElement;
  /** Deployments and incidents on the chart: a legend line, and the list the labels refer to. */
  private readonly annotLegend = h('p', { class: 'chart-legend', hidden: true });
  private readonly annotList = h('ol', { class: 'annotations-list', 'aria-label': 'Deployments and incidents in this range', hidden: true });
  private annotKey = '';
  private fitObserver: ResizeObserver | null = null;
  private chart: HistoryChart | null = null;
  private range: RangeKey = currentRange();
  private seenEvaluation: number | null | undefined = undefined;
  private historyAt = 0;
  private historyStepMs = 60_000;
  private loadingDetail = false;
  private destroyed = false;
  private crumbsEl: HTMLElement;
  /** "Silenced until 16:00: why (who)" when a silence covers what the page shows. */
  private readonly silence = new SilenceMark(true);
  /** The latest summary, for names the detail answer does not carry. */
  protected summary: Summary | null = null;

  constructor(
    protected readonly ctx: ViewContext,
    trail: Array<[string, string | null]>,
  ) {
    this.canvas = h('canvas', { role: 'img', 'aria-label': 'history chart' });
    const picker = new RangePicker(this.range, (r) => {
      this.range = r;
      void this.loadHistory();
    });
    this.chartPanel = h(
      'section',
      { class: 'panel chart-panel', hidden: true },
      h('div', { class: 'panel-head' }, this.chartTitle, picker.el),
      this.chartSince,
      h('div', { class: 'chart-box' }, this.canvas, this.chartEmpty),
      this.chartNote,
      this.annotLegend,
      this.annotList,
    );
    replace(this.message, notice('loading', 'Loading…'));
    this.crumbsEl = crumbs(trail);
    this.el = h('div', { class: 'detail' }, this.crumbsEl, this.message, this.silence.el, this.head, this.chartPanel, this.body);
  }

  /** Re-labels the breadcrumb once the detail says what things are called. */
  protected setTrail(trail: Array<[string, string | null]>): void {
    const next = crumbs(trail);
    this.crumbsEl.replaceWith(next);
    this.crumbsEl = next;
  }

  abstract title(): string;
  abstract parent(): string | null;
  /** Fetches and parses the detail. */
  protected abstract load(): Promise<D>;
  /** Renders head and body from the detail. */
  protected abstract render(d: D): void;
  protected abstract history(d: D): { path: string; query?: Record<string, string>; title: string; chart: HistoryChartOptions; objective?: Objective | null } | null;
  /** What the page is called in messages ("pillar Reliability"). */
  protected abstract what(): string;
  /** `<kind>:<id>` of what the page shows, as notifications name it (outcome:buy). */
  protected abstract subject(): string;

  update(s: Summary): void {
    this.summary = s;
    this.silence.update(s.notifications?.silenced.get(this.subject()) ?? null, serverNow());
    if (s.evaluatedAt !== this.seenEvaluation) {
      this.seenEvaluation = s.evaluatedAt;
      void this.reload();
    } else if (this.detail && Date.now() - this.historyAt > Math.min(10 * 60_000, Math.max(60_000, this.historyStepMs))) {
      void this.loadHistory();
    }
  }

  private async reload(): Promise<void> {
    if (this.loadingDetail) return;
    this.loadingDetail = true;
    try {
      const d = await this.load();
      if (this.destroyed) return;
      this.detail = d;
      this.render(d);
      replace(this.message);
      await this.loadHistory();
    } catch (err) {
      if (this.destroyed) return;
      // Try again with the next summary, even if it is for the same evaluation.
      this.seenEvaluation = undefined;
      const e = err as Error;
      const gone = e instanceof ApiError && e.status === 404;
      const text = gone
        ? `There is no ${this.what()} in the active workload (${e.message}).`
        : `Could not load ${this.what()}: ${e.message}. ${this.detail ? 'Showing what was loaded before; retrying' : 'Retrying'} with the next update.`;
      replace(this.message, notice('error', text));
    } finally {
      this.loadingDetail = false;
    }
  }

  private async loadHistory(): Promise<void> {
    if (!this.detail) return;
    const spec = this.history(this.detail);
    setHidden(this.chartPanel, spec === null);
    if (!spec) return;
    setText(this.chartTitle, spec.title);
    this.historyAt = Date.now();
    const rangeMs = RANGES[this.range];
    let hist: History;
    try {
      hist = await fetchHistory(spec.path, rangeMs, this.canvas.parentElement?.clientWidth || 800, spec.query);
    } catch (err) {
      if (this.destroyed) return;
      setText(this.chartNote, `History unavailable: ${(err as Error).message}`);
      return;
    }
    if (this.destroyed) return;
    this.historyStepMs = hist.stepSeconds * 1000;
    this.chart ??= new HistoryChart(this.canvas, { ...spec.chart, interactive: !this.ctx.kiosk });
    this.chart.set(hist, spec.objective ?? null);
    const n = hist.points.length;
    const since = collectingSince(hist, serverNow());
    setHidden(this.chartSince, since === null);
    setText(this.chartSince, since ? `${since[0]!.toUpperCase()}${since.slice(1)}: the chart starts at the first sample, not ${this.range} ago.` : '');
    setHidden(this.chartEmpty, n > 0);
    setText(this.chartEmpty, n > 0 ? '' : 'No data in this range');
    setText(
      this.chartNote,
      `${n} point${n === 1 ? '' : 's'}, ${since ? 'since the first sample' : `one per ${stepWords(hist.stepSeconds)}`} (${hist.source === 'rollup' ? 'hourly rollups' : 'raw samples'}); times in ${timeZone()} (${zoneName(hist.to)})`,
    );
    const described = `${spec.title}: ${n} points over the ${this.range} range${since ? `, ${since}` : ''}`;
    this.canvas.setAttribute('aria-label', described);
    await this.loadAnnotations(hist.from, hist.to, described);
  }

  /** Deployments and incidents over the chart's range, drawn on it and listed under it. */
  private async loadAnnotations(from: number, to: number, described: string): Promise<void> {
    let items: Annotation[] | null;
    let failure: string | null = null;
    try {
      items = await fetchAnnotations(from, to);
    } catch (err) {
      items = null;
      failure = (err as Error).message;
    }
    if (this.destroyed || !this.chart) return;
    this.chart.setAnnotations(items ?? [], serverNow());
    const summary = items ? annotationsSummary(items) : '';
    if (summary) this.canvas.setAttribute('aria-label', `${described}, with ${summary} marked (listed below the chart)`);
    let legend: string | null;
    if (failure) legend = `Deployments and incidents could not be loaded: ${failure}`;
    else if (items === null) legend = null; // this server records no events: nothing to say
    else if (items.length === 0) legend = 'No deployments or incidents in this range.';
    else legend = `Marked: ${summary}. D = deployment (dashed line), I = incident (shaded from start to end; an open one runs to now).`;
    setHidden(this.annotLegend, legend === null);
    setText(this.annotLegend, legend ?? '');
    const key = JSON.stringify(items);
    if (key === this.annotKey) return;
    this.annotKey = key;
    this.annotList.replaceChildren(
      ...(items ?? []).map((a) => {
        const when = a.end !== null ? `${formatWeekdayDateTime(a.time)} – ${formatWeekdayDateTime(a.end)}` : isOpen(a) ? `since ${formatWeekdayDateTime(a.time)}, still open` : formatWeekdayDateTime(a.time);
        const where = [a.service, a.environment].filter(Boolean).join(', ');
        const parts: Array<HTMLElement | null> = [
          h('span', { class: 'annot-label' }, a.label),
          h('span', { class: 'annot-kind' }, kindWord(a.kind)),
          h('span', { class: 'annot-when' }, when),
          a.link ? h('a', { href: a.link, target: '_blank', rel: 'noopener noreferrer' }, a.title) : h('span', null, a.title),
          a.status ? h('span', { class: 'annot-status' }, a.status) : null,
          where ? h('span', { class: 'annot-where' }, where) : null,
        ];
        // Spaces between the parts, so the item reads as words (flex gaps do the spacing on screen).
        const li = h('li', { class: `annot annot-${a.kind}`, 'data-kind': a.kind, 'data-label': a.label }, ...parts.filter((x) => x !== null).flatMap((x, i) => (i ? [' ', x] : [x])));
        return li;
      }),
    );
    setHidden(this.annotList, !items || items.length === 0);
    setAttr(this.annotList, 'data-count', String(items?.length ?? 0));
  }

  /**
   * In kiosk mode, hide the table rows that do not fit on the screen (whole rows, never part
   * of one) and count them by status (rows carry `data-status`; views put the worst first).
   */
  protected fitRows(clip: HTMLElement, rows: HTMLElement[], more: HTMLElement, noun: string): void {
    if (!this.ctx.kiosk) return;
    const fit = () => {
      if (!this.destroyed && clip.isConnected) fitChildren(clip, rows, more, (cut) => hiddenSummary(cut, noun));
    };
    requestAnimationFrame(fit);
    // The room changes after the first fit (the chart's notes load, a banner comes or goes):
    // fit again whenever the table's box changes size, on the next frame.
    this.fitObserver?.disconnect();
    let pending = false;
    let lastSize = '';
    this.fitObserver = new ResizeObserver(() => {
      // Width too: a narrower table wraps its rows, so fewer fit.
      const size = `${clip.clientWidth}x${clip.clientHeight}`;
      if (pending || size === lastSize) return;
      lastSize = size;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        fit();
      });
    });
    this.fitObserver.observe(clip);
  }

  destroy(): void {
    this.destroyed = true;
    this.fitObserver?.disconnect();
    this.chart?.destroy();
  }
}

function stepWords(s: number): string {
  if (s % 86400 === 0) return s === 86400 ? 'day' : `${s / 86400} days`;
  if (s % 3600 === 0) return s === 3600 ? 'hour' : `${s / 3600} hours`;
  if (s % 60 === 0) return s === 60 ? 'minute' : `${s / 60} minutes`;
  return `${s} s`;
}
