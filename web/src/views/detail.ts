import { ApiError } from '../api.js';
import { HistoryChart, type HistoryChartOptions } from '../charts.js';
import { h, replace, setHidden, setText } from '../dom.js';
import { fetchHistory } from '../history.js';
import type { History, Objective, Summary } from '../model.js';
import { crumbs, currentRange, fitChildren, notice, RangePicker, RANGES, type RangeKey, type View, type ViewContext } from './common.js';

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
  private readonly chartEmpty = h('p', { class: 'chart-empty', hidden: true });
  private readonly chartPanel: HTMLElement;
  private chart: HistoryChart | null = null;
  private range: RangeKey = currentRange();
  private seenEvaluation: number | null | undefined = undefined;
  private historyAt = 0;
  private historyStepMs = 60_000;
  private loadingDetail = false;
  private destroyed = false;
  private crumbsEl: HTMLElement;
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
      h('div', { class: 'chart-box' }, this.canvas, this.chartEmpty),
      this.chartNote,
    );
    replace(this.message, notice('loading', 'Loading…'));
    this.crumbsEl = crumbs(trail);
    this.el = h('div', { class: 'detail' }, this.crumbsEl, this.message, this.head, this.chartPanel, this.body);
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

  update(s: Summary): void {
    this.summary = s;
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
    setHidden(this.chartEmpty, n > 0);
    setText(this.chartEmpty, n > 0 ? '' : 'No data in this range');
    setText(this.chartNote, `${n} point${n === 1 ? '' : 's'}, one per ${stepWords(hist.stepSeconds)} (${hist.source === 'rollup' ? 'hourly rollups' : 'raw samples'})`);
    this.canvas.setAttribute('aria-label', `${spec.title}: ${n} points over the ${this.range} range`);
  }

  /** In kiosk mode, cut table rows that do not fit on the screen and say so. */
  protected fitRows(clip: HTMLElement, rows: HTMLElement[], more: HTMLElement, noun: string): void {
    if (!this.ctx.kiosk) return;
    requestAnimationFrame(() => {
      if (!this.destroyed) fitChildren(clip, rows, more, (cut) => `+${cut.length} more ${noun} not shown`);
    });
  }

  destroy(): void {
    this.destroyed = true;
    this.chart?.destroy();
  }
}

function stepWords(s: number): string {
  if (s % 86400 === 0) return s === 86400 ? 'day' : `${s / 86400} days`;
  if (s % 3600 === 0) return s === 3600 ? 'hour' : `${s / 3600} hours`;
  if (s % 60 === 0) return s === 60 ? 'minute' : `${s / 60} minutes`;
  return `${s} s`;
}
