import { Chart, Filler, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset, type Plugin, type ScriptableContext, type Scale } from 'chart.js';
import { annotationsPlugin, stripHeight, type Annotation, type AnnotationState } from './annotations.js';
import { formatDate, formatDay, formatTime, formatWeekdayDateTime, fromWallTime, zoneOffset, zoneParts } from './format.js';
import { historyStart } from './coverage.js';
import type { History, Objective } from './model.js';

/**
 * Chart.js, bundled (no CDN) and tree-shaken to what is drawn: line charts on linear scales.
 * Time axes are linear scales in ms whose ticks this module places and labels itself, in the
 * workload's time zone (format.ts) — Chart.js's time scale would use the browser's zone. Every chart is created once per view and updated in place with
 * `update('none')`; animation is off everywhere (a wall screen redraws for hours, and
 * motion draws the eye to what has not changed). Points are never more than the pixels:
 * callers ask the API for a step of at least range ÷ width (see stepFor).
 */

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Tooltip);
Chart.defaults.animation = false;

export type XY = { x: number; y: number | null };

const cssVar = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
const rootFontPx = (): number => parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Steps the history endpoints are asked for, in seconds: round numbers that align with rollups. */
const STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/** The smallest round step giving at most one point per CSS pixel of `widthPx` over `rangeMs`. */
export function stepFor(rangeMs: number, widthPx: number): number {
  const min = rangeMs / 1000 / Math.max(16, Math.floor(widthPx));
  return STEPS.find((s) => s >= min) ?? Math.ceil(min);
}

/**
 * Points as chart data, with a null wherever data is missing so the line breaks instead of
 * bridging a gap. A gap is a distance well beyond both the step and the usual spacing of the
 * points (evaluations may run less often than the step).
 */
export function toXY(h: History, scale = 1): XY[] {
  const out: XY[] = [];
  const pts = h.points;
  const diffs: number[] = [];
  for (let i = 1; i < pts.length; i++) diffs.push(pts[i]![0] - pts[i - 1]![0]);
  diffs.sort((a, b) => a - b);
  const usual = diffs.length ? diffs[Math.floor(diffs.length / 2)]! : 0;
  const gap = Math.max(h.stepSeconds * 1000 * 1.5, usual * 2.5);
  let prev: number | null = null;
  for (const [t, v] of pts) {
    if (prev !== null && gap > 0 && t - prev > gap) out.push({ x: prev + Math.max(h.stepSeconds * 1000, usual), y: null });
    out.push({ x: t, y: v === null ? null : v * scale });
    prev = t;
  }
  return out;
}

/** Draws a dot where a point has no neighbour to join, and at the latest value. */
function pointRadius(ctx: ScriptableContext<'line'>): number {
  const data = ctx.dataset.data as XY[];
  const i = ctx.dataIndex;
  if (data[i]?.y == null) return 0;
  if (i === data.length - 1) return 4;
  return data[i - 1]?.y == null && data[i + 1]?.y == null ? 3 : 0;
}

/** A 7-day score line for a pillar tile: no axes, no interaction, fixed 0–100 so tiles compare. */
export class Sparkline {
  readonly chart: Chart<'line', XY[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart<'line', XY[]>(canvas, {
      type: 'line',
      data: {
        datasets: [{ data: [], borderColor: cssVar('--spark'), backgroundColor: cssVar('--spark-fill'), pointBackgroundColor: cssVar('--spark'), borderWidth: 2.5, pointRadius, pointBorderWidth: 0, fill: 'start', tension: 0, spanGaps: false }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        events: [],
        parsing: false,
        normalized: true,
        layout: { padding: 2 },
        plugins: { tooltip: { enabled: false } },
        scales: { x: { type: 'linear', display: false }, y: { display: false, min: 0, max: 100 } },
      },
    });
  }

  set(h: History): void {
    this.chart.data.datasets[0]!.data = toXY(h);
    const x = this.chart.options.scales!['x']!;
    x.min = historyStart(h);
    x.max = h.to;
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}

interface BandState {
  objective: Objective | null;
  /** Bounds are multiplied by this to match the plotted values. */
  scale: number;
  format: (v: number) => string;
}

let hatch: CanvasPattern | null = null;
function hatchPattern(ctx: CanvasRenderingContext2D, color: string): CanvasPattern | string {
  if (hatch) return hatch;
  const c = document.createElement('canvas');
  c.width = c.height = 12;
  const g = c.getContext('2d');
  if (!g) return color;
  g.strokeStyle = color;
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(0, 12);
  g.lineTo(12, 0);
  g.moveTo(-3, 3);
  g.lineTo(3, -3);
  g.moveTo(9, 15);
  g.lineTo(15, 9);
  g.stroke();
  hatch = ctx.createPattern(c, 'repeat');
  return hatch ?? color;
}

/**
 * Warning and critical bands and the target line, drawn behind the data. Each band is
 * labelled in words and the critical one is hatched, so the bands read without colour.
 */
function bandsPlugin(state: BandState): Plugin<'line'> {
  return {
    id: 'pbBands',
    beforeDatasetsDraw(chart) {
      const o = state.objective;
      const y = chart.scales['y'];
      if (!o || !y) return;
      const { ctx, chartArea: a } = chart;
      const px = (v: number) => Math.min(a.bottom, Math.max(a.top, y.getPixelForValue(v * state.scale)));
      const up = o.direction === 'max';
      const edge = up ? a.top : a.bottom;
      ctx.save();
      ctx.font = `${Math.round(rootFontPx() * 0.85)}px ${String(Chart.defaults.font.family ?? 'sans-serif')}`;
      ctx.textAlign = 'right';
      const band = (fromV: number, toPx: number, overlay: string | CanvasPattern | null, tint: string, label: string, color: string) => {
        const p = px(fromV);
        const top = Math.min(p, toPx);
        const h = Math.abs(toPx - p);
        if (h < 1) return;
        ctx.fillStyle = tint;
        ctx.fillRect(a.left, top, a.right - a.left, h);
        if (overlay) {
          ctx.fillStyle = overlay;
          ctx.fillRect(a.left, top, a.right - a.left, h);
        }
        ctx.fillStyle = color;
        ctx.textBaseline = up ? 'top' : 'bottom';
        ctx.fillText(label, a.right - 6, up ? top + 4 : top + h - 4);
      };
      const warn = o.warning ?? null;
      const crit = o.critical ?? null;
      if (warn !== null && warn !== o.target) {
        band(warn, crit !== null ? px(crit) : edge, null, cssVar('--band-warning'), `warning ${up ? '≥' : '≤'} ${state.format(warn)}`, cssVar('--warning-text'));
      }
      if (crit !== null) {
        band(crit, edge, hatchPattern(ctx, cssVar('--band-critical-hatch')), cssVar('--band-critical'), `critical ${up ? '≥' : '≤'} ${state.format(crit)}`, cssVar('--critical-text'));
      }
      const t = px(o.target);
      ctx.strokeStyle = cssVar('--target');
      ctx.lineWidth = 2;
      ctx.setLineDash([8, 6]);
      ctx.beginPath();
      ctx.moveTo(a.left, t);
      ctx.lineTo(a.right, t);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = cssVar('--target');
      ctx.textAlign = 'left';
      ctx.textBaseline = up ? 'bottom' : 'top';
      ctx.fillText(`target ${up ? '≤' : '≥'} ${state.format(o.target)}`, a.left + 6, up ? t - 4 : t + 4);
      ctx.restore();
    },
  };
}

export interface HistoryChartOptions {
  label: string;
  /** Formats a plotted value (axis ticks, tooltips). */
  format: (v: number) => string;
  /** Fixed axis bounds (scores: 0–100); otherwise fitted to the data and the objective. */
  min?: number;
  max?: number;
  /** Multiply API values by this before plotting. */
  scale?: number;
  interactive?: boolean;
}

/** Tick spacings for time axes: round minutes (a young history), hours, days, and weeks starting on Monday. */
const MINUTE = 60_000;
const TICK_STEPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY];
/** 1970-01-05, a Monday, in wall-clock ms: weeks are counted from it. */
const MONDAY = 4 * DAY;

/**
 * Ticks between `from` and `to` at wall-clock boundaries of the display zone (midnight, every
 * 6 hours, Mondays…), at most `maxTicks`. Returns the instants and the spacing chosen.
 */
export function zoneTicks(from: number, to: number, maxTicks: number): { ticks: number[]; step: number } {
  const span = Math.max(1, to - from);
  const step = TICK_STEPS.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / DAY) * DAY;
  const origin = step >= 7 * DAY ? MONDAY : 0;
  const fromWall = from + zoneOffset(from);
  const toWall = to + zoneOffset(to);
  const ticks: number[] = [];
  for (let w = Math.ceil((fromWall - origin) / step) * step + origin; w <= toWall && ticks.length < 200; w += step) {
    const t = fromWallTime(w);
    if (t >= from && t <= to && t !== ticks[ticks.length - 1]) ticks.push(t);
  }
  return { ticks, step };
}

/** A tick's label: hours within a day ("06:00", the date at midnight), days ("Thu, Nov 26"), weeks ("Nov 23"). */
export function tickLabel(t: number, step: number): string {
  if (step < DAY) {
    const p = zoneParts(t);
    return p.hour === 0 && p.minute === 0 ? formatDate(t) : formatTime(t);
  }
  return step < 7 * DAY ? formatDay(t) : formatDate(t);
}

type FitOptions = { suggestedMin?: number; suggestedMax?: number; beginAtZero?: boolean };

/** A time-series chart for drill-downs: value over 24h/7d/30d/90d, with objective bands. */
export class HistoryChart {
  readonly chart: Chart<'line', XY[]>;
  private readonly bands: BandState;
  private readonly scale: number;
  private readonly annotations: AnnotationState = { items: [], now: 0, hover: null, drawnKey: '' };
  private tickStep = DAY;

  constructor(
    canvas: HTMLCanvasElement,
    private readonly opts: HistoryChartOptions,
  ) {
    this.scale = opts.scale ?? 1;
    this.bands = { objective: null, scale: this.scale, format: (v) => opts.format(v * this.scale) };
    const text = cssVar('--muted');
    const grid = cssVar('--grid');
    const fontSize = Math.round(rootFontPx() * 0.85);
    const dataset: ChartDataset<'line', XY[]> = {
      label: opts.label,
      data: [],
      borderColor: cssVar('--line'),
      backgroundColor: cssVar('--line'),
      borderWidth: 3,
      pointRadius,
      pointHoverRadius: 5,
      tension: 0,
      spanGaps: false,
    };
    this.chart = new Chart<'line', XY[]>(canvas, {
      type: 'line',
      data: { datasets: [dataset] },
      plugins: [bandsPlugin(this.bands), annotationsPlugin(this.annotations)],
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        parsing: false,
        normalized: true,
        events: opts.interactive === false ? [] : ['mousemove', 'mouseout', 'click', 'touchstart', 'touchmove'],
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        layout: { padding: { top: 4 } },
        plugins: {
          tooltip: {
            enabled: opts.interactive !== false,
            callbacks: {
              title: (items) => (items[0] ? formatWeekdayDateTime(items[0].parsed.x ?? 0) : ''),
              label: (item) => `${opts.label}: ${item.parsed.y === null ? '—' : opts.format(item.parsed.y)}`,
            },
          },
        },
        scales: {
          x: {
            type: 'linear',
            grid: { color: grid },
            ticks: { color: text, font: { size: fontSize }, maxRotation: 0, autoSkipPadding: 24, callback: (v) => tickLabel(Number(v), this.tickStep) },
            afterBuildTicks: (axis: Scale) => this.placeTicks(axis),
          },
          y: {
            grid: { color: grid },
            ticks: { color: text, font: { size: fontSize }, callback: (v) => opts.format(Number(v)), maxTicksLimit: 6 },
            ...(opts.min !== undefined ? { min: opts.min } : {}),
            ...(opts.max !== undefined ? { max: opts.max } : {}),
          },
        },
      },
    });
  }

  /** Ticks at round times of the workload's zone, as many as fit the width. */
  private placeTicks(axis: Scale): void {
    // Hour labels ("06:00") are narrower than day labels ("Thu, Nov 26").
    const fit = (rem: number) => Math.max(2, Math.min(14, Math.floor(axis.width / (rootFontPx() * rem))));
    let { ticks, step } = zoneTicks(axis.min, axis.max, fit(4.5));
    if (step >= DAY) ({ ticks, step } = zoneTicks(axis.min, axis.max, fit(7.5)));
    this.tickStep = step;
    axis.ticks = ticks.map((value) => ({ value }));
  }

  /** Deployments and incidents to mark (annotations.ts); `now` is where open incidents end. */
  setAnnotations(items: Annotation[], now: number): void {
    this.annotations.items = items;
    this.annotations.now = now;
    if (!items.includes(this.annotations.hover!)) this.annotations.hover = null;
    const layout = this.chart.options.layout as { padding: { top?: number } | number };
    layout.padding = { top: items.length ? stripHeight() + 4 : 4 };
    this.chart.update('none');
  }

  /** Replaces the data (and objective) in place. */
  set(h: History, objective: Objective | null = null): void {
    const data = toXY(h, this.scale);
    this.chart.data.datasets[0]!.data = data;
    this.bands.objective = objective;
    const x = this.chart.options.scales!['x']! as unknown as { min?: number; max?: number };
    x.min = historyStart(h);
    x.max = h.to;
    if (this.opts.min === undefined || this.opts.max === undefined) {
      const y = this.chart.options.scales!['y']! as unknown as FitOptions;
      const values = data.map((p) => p.y).filter((v): v is number => v !== null);
      if (objective) for (const b of [objective.target, objective.warning, objective.critical]) if (b !== null) values.push(b * this.scale);
      if (values.length) {
        const lo = Math.min(...values);
        const hi = Math.max(...values);
        const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
        // Quantities that cannot go below zero start at zero, unless they live in a narrow
        // band far from it (an SLO at 99.x%), where zero would flatten everything.
        y.beginAtZero = lo >= 0 && lo < hi * 0.5;
        y.suggestedMin = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;
        y.suggestedMax = hi + pad;
      }
    }
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
