import { Chart, type Plugin } from 'chart.js';
import { ApiError, getJson } from './api.js';
import { formatWeekdayDateTime } from './format.js';

/**
 * Deployments and incidents on the drill-down time charts (GET /api/annotations, docs/events.md):
 * a deployment is a dashed vertical line, an incident a shaded span from its start to its end
 * (to now while it is open). Each carries a text label in a strip above the plot — "D1", "I2
 * open" — that the list under the chart explains, so nothing is told by colour alone. Hovering a
 * marker shows what it was. A small Chart.js plugin of our own; no annotation package.
 */

export type AnnotationKind = 'deployment' | 'incident';

export interface Annotation {
  kind: AnnotationKind;
  /** "D1", "I2": its label on the chart and in the list. */
  label: string;
  time: number;
  /** End of the span; null for an instant or an incident still open. */
  end: number | null;
  title: string;
  service: string | null;
  environment: string | null;
  status: string | null;
  link: string | null;
}

const KIND_WORD: Record<AnnotationKind, string> = { deployment: 'Deployment', incident: 'Incident' };
export const kindWord = (k: AnnotationKind): string => KIND_WORD[k];

/** A deployment that failed (its label says so with a ✗, not only its colour). */
const failed = (a: Annotation): boolean => a.kind === 'deployment' && /fail/i.test(a.status ?? '');

/** An incident counts as open while it has no end (and its status does not say otherwise). */
export const isOpen = (a: Annotation): boolean => a.kind === 'incident' && a.end === null && !/^(resolved|closed)$/i.test(a.status ?? '');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const time = (v: unknown): number | null => {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
};

/** The API's annotations, oldest first, numbered per kind; entries that make no sense are left out. */
export function parseAnnotations(raw: unknown): Annotation[] {
  if (!Array.isArray(raw)) throw new Error('the annotations answer is not a list');
  const out: Annotation[] = [];
  for (const a of raw) {
    if (!isObj(a) || (a.kind !== 'deployment' && a.kind !== 'incident')) continue;
    const t = time(a.time);
    if (t === null) continue;
    const end = time(a.timeEnd);
    const link = str(a.link);
    out.push({
      kind: a.kind,
      label: '',
      time: t,
      end: end !== null && end > t ? end : null,
      title: str(a.title) ?? KIND_WORD[a.kind],
      service: str(a.service),
      environment: str(a.environment),
      status: str(a.status),
      link: link && /^https?:\/\//i.test(link) ? link : null,
    });
  }
  out.sort((x, y) => x.time - y.time);
  const n = { deployment: 0, incident: 0 };
  for (const a of out) a.label = `${a.kind === 'deployment' ? 'D' : 'I'}${++n[a.kind]}`;
  return out;
}

/**
 * Deployments and incidents over [from, to]; null when this server has no events API (404) or
 * it is not ready (503) — the chart then simply has no markers.
 */
export async function fetchAnnotations(from: number, to: number): Promise<Annotation[] | null> {
  try {
    return parseAnnotations(await getJson('/api/annotations', { from: new Date(from).toISOString(), to: new Date(to).toISOString() }));
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 503)) return null;
    throw err;
  }
}

export interface AnnotationState {
  items: Annotation[];
  /** Where open incidents end (the server's now). */
  now: number;
  hover: Annotation | null;
  /** What the last draw showed, mirrored on the canvas as data attributes for tests. */
  drawnKey: string;
}

const cssVar = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
const rootFontPx = (): number => parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;

/** Height of the label strip above the plot: two rows (deployments, incidents). */
export function stripHeight(): number {
  return Math.round(rootFontPx() * 2.6);
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

export function annotationsPlugin(state: AnnotationState): Plugin<'line'> {
  /** Pixel extent of each marker inside the plot at the last draw, for hovering. */
  let hits: Array<{ a: Annotation; x1: number; x2: number; top: number }> = [];

  const extent = (chart: Chart, a: Annotation) => {
    const x = chart.scales['x']!;
    const area = chart.chartArea;
    const x1 = x.getPixelForValue(a.time);
    const x2 = a.kind === 'incident' ? x.getPixelForValue(a.end ?? state.now) : x1;
    if (x2 < area.left - 1 || x1 > area.right + 1) return null;
    return { x1: Math.max(area.left, x1), x2: Math.min(area.right, x2) };
  };

  return {
    id: 'pbAnnotations',
    beforeDatasetsDraw(chart) {
      if (!state.items.length || !chart.scales['x']) return;
      const { ctx, chartArea: a } = chart;
      ctx.save();
      const incidentFill = cssVar('--annot-incident');
      const incidentEdge = cssVar('--annot-incident-edge');
      const deploy = cssVar('--annot-deploy');
      const failedColor = cssVar('--critical');
      for (const item of state.items) {
        const e = extent(chart, item);
        if (!e) continue;
        if (item.kind === 'incident') {
          ctx.fillStyle = incidentFill;
          ctx.fillRect(e.x1, a.top, Math.max(2, e.x2 - e.x1), a.bottom - a.top);
          ctx.strokeStyle = incidentEdge;
          ctx.lineWidth = 2;
          ctx.setLineDash([]);
          ctx.beginPath();
          ctx.moveTo(e.x1, a.top);
          ctx.lineTo(e.x1, a.bottom);
          if (item.end !== null) {
            ctx.moveTo(e.x2, a.top);
            ctx.lineTo(e.x2, a.bottom);
          }
          ctx.stroke();
        } else {
          ctx.strokeStyle = failed(item) ? failedColor : deploy;
          ctx.lineWidth = 2;
          ctx.setLineDash([6, 4]);
          ctx.beginPath();
          ctx.moveTo(e.x1, a.top - stripHeight() / 2);
          ctx.lineTo(e.x1, a.bottom);
          ctx.stroke();
        }
      }
      ctx.restore();
    },
    afterDraw(chart) {
      const scale = chart.scales['x'];
      if (!scale) return;
      const { ctx, chartArea: a } = chart;
      const font = rootFontPx();
      const rowH = stripHeight() / 2;
      const lastRight = [-Infinity, -Infinity];
      const drawn: string[] = [];
      hits = [];
      const colors = { panel: cssVar('--panel-2'), text: cssVar('--text'), incident: cssVar('--annot-incident-edge'), failed: cssVar('--critical'), deploy: cssVar('--annot-deploy') };
      ctx.save();
      ctx.font = `700 ${Math.round(font * 0.72)}px ${String(Chart.defaults.font.family ?? 'sans-serif')}`;
      ctx.textBaseline = 'middle';
      for (const item of state.items) {
        const e = extent(chart, item);
        if (!e) continue;
        hits.push({ a: item, ...e, top: a.top });
        const row = item.kind === 'deployment' ? 0 : 1;
        const text = isOpen(item) ? `${item.label} open` : failed(item) ? `${item.label} ✗` : item.label;
        const w = ctx.measureText(text).width + font * 0.6;
        const h = rowH - 3;
        let left = item.kind === 'deployment' ? e.x1 - w / 2 : e.x1;
        left = Math.max(a.left - font, Math.min(left, chart.width - w - 1));
        const top = a.top - stripHeight() + row * rowH;
        // Labels that would cover another of their row are left out; the list says them all.
        if (left < lastRight[row]! + 3) continue;
        lastRight[row] = left + w;
        roundRect(ctx, left, top, w, h, h / 3);
        ctx.fillStyle = colors.panel;
        ctx.fill();
        ctx.lineWidth = 1.5;
        ctx.setLineDash([]);
        ctx.strokeStyle = item.kind === 'incident' ? colors.incident : failed(item) ? colors.failed : colors.deploy;
        ctx.stroke();
        ctx.fillStyle = colors.text;
        ctx.textAlign = 'center';
        ctx.fillText(text, left + w / 2, top + h / 2 + 0.5);
        drawn.push(text);
      }
      if (state.hover) drawHover(chart, state.hover, font);
      ctx.restore();
      const key = `${hits.length}|${drawn.join(',')}`;
      if (key !== state.drawnKey) {
        state.drawnKey = key;
        chart.canvas.dataset['annotations'] = String(hits.length);
        chart.canvas.dataset['annotationLabels'] = drawn.join(',');
      }
    },
    afterEvent(chart, args) {
      const e = args.event;
      let next: Annotation | null = null;
      if (e.type === 'mousemove' && e.x !== null && e.y !== null && hits.length) {
        const x = e.x;
        let best = Infinity;
        for (const h of hits) {
          const d = h.a.kind === 'deployment' ? Math.abs(x - h.x1) : x >= h.x1 - 4 && x <= h.x2 + 4 ? 5 : Infinity;
          if (d <= 8 && d < best) {
            best = d;
            next = h.a;
          }
        }
      }
      if (next !== state.hover) {
        state.hover = next;
        args.changed = true;
      }
      // One tooltip at a time: a hovered marker's replaces the data point's.
      if (next && chart.tooltip && chart.tooltip.getActiveElements().length) {
        chart.tooltip.setActiveElements([], { x: 0, y: 0 });
        args.changed = true;
      }
    },
  };
}

function describe(a: Annotation): string[] {
  const when = a.end !== null ? `${formatWeekdayDateTime(a.time)} – ${formatWeekdayDateTime(a.end)}` : isOpen(a) ? `since ${formatWeekdayDateTime(a.time)} (open)` : formatWeekdayDateTime(a.time);
  const where = [a.service, a.environment].filter(Boolean).join(', ');
  return [`${a.label} · ${KIND_WORD[a.kind]}${a.status ? ` (${a.status})` : ''}`, a.title, when + (where ? ` · ${where}` : '')];
}

function drawHover(chart: Chart, a: Annotation, font: number): void {
  const { ctx, chartArea: area } = chart;
  const lines = describe(a);
  const size = Math.round(font * 0.8);
  ctx.font = `${size}px ${String(Chart.defaults.font.family ?? 'sans-serif')}`;
  const pad = font * 0.5;
  const lineH = size * 1.3;
  const w = Math.max(...lines.map((l) => ctx.measureText(l).width)) + 2 * pad;
  const h = lines.length * lineH + 2 * pad;
  const x = chart.scales['x']!.getPixelForValue(a.time);
  const left = Math.max(area.left, Math.min(x + 10, area.right - w));
  const top = area.top + 6;
  roundRect(ctx, left, top, w, h, 4);
  ctx.fillStyle = cssVar('--panel');
  ctx.globalAlpha = 0.95;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = cssVar('--border');
  ctx.lineWidth = 1;
  ctx.stroke();
  ctx.fillStyle = cssVar('--text');
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  lines.forEach((l, i) => {
    if (i === 0) ctx.font = `700 ${size}px ${String(Chart.defaults.font.family ?? 'sans-serif')}`;
    else if (i === 1) ctx.font = `${size}px ${String(Chart.defaults.font.family ?? 'sans-serif')}`;
    ctx.fillText(l, left + pad, top + pad + i * lineH);
  });
}

/** "2 deployments and 1 incident (1 open)". */
export function annotationsSummary(items: Annotation[]): string {
  const d = items.filter((a) => a.kind === 'deployment').length;
  const inc = items.filter((a) => a.kind === 'incident');
  const open = inc.filter(isOpen).length;
  const parts: string[] = [];
  if (d) parts.push(`${d} deployment${d === 1 ? '' : 's'}`);
  if (inc.length) parts.push(`${inc.length} incident${inc.length === 1 ? '' : 's'}${open ? ` (${open} open)` : ''}`);
  return parts.join(' and ');
}
