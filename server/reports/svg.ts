/**
 * Small inline SVG charts for the HTML report: no scripts, no external references, fixed
 * sizes, and a <title> in each so a reader (or a mail client that drops SVG) still has the
 * numbers — the tables beside every chart carry them too.
 */

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();

export interface BarChartOptions {
  width?: number;
  height?: number;
  /** Value at the top of the chart (scores: 100; ratios: 1). */
  max: number;
  labels: string[];
  /** How a value is written in the tooltip. */
  format: (v: number) => string;
  title: string;
  color?: string;
}

/** One bar per value (null: an empty slot marked "–"), labels underneath. */
export function barChart(values: Array<number | null>, o: BarChartOptions): string {
  const width = o.width ?? 210;
  const height = o.height ?? 56;
  const labelH = 12;
  const plotH = height - labelH;
  const slot = width / Math.max(1, values.length);
  const barW = Math.max(2, slot * 0.62);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(o.title)}">`);
  parts.push(`<title>${esc(o.title)}</title>`);
  parts.push(`<line x1="0" y1="${f(plotH)}" x2="${width}" y2="${f(plotH)}" stroke="#c8ccd2" stroke-width="1"/>`);
  values.forEach((v, i) => {
    const x = i * slot + (slot - barW) / 2;
    const cx = i * slot + slot / 2;
    if (v === null) {
      parts.push(`<text x="${f(cx)}" y="${f(plotH - 3)}" font-size="9" text-anchor="middle" fill="#9aa0a6">–</text>`);
    } else {
      const h = Math.max(1, (Math.min(Math.max(v, 0), o.max) / o.max) * (plotH - 2));
      parts.push(
        `<rect x="${f(x)}" y="${f(plotH - h)}" width="${f(barW)}" height="${f(h)}" rx="1.5" fill="${o.color ?? '#3b6fb6'}"><title>${esc(`${o.labels[i] ?? ''}: ${o.format(v)}`)}</title></rect>`,
      );
    }
    parts.push(`<text x="${f(cx)}" y="${height - 2}" font-size="8.5" text-anchor="middle" fill="#5f6368">${esc(o.labels[i] ?? '')}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A horizontal meter 0–1 (an outcome's attainment), with a tick at last week's value. */
export function meter(value: number | null, previous: number | null, o: { width?: number; color: string; title: string }): string {
  const width = o.width ?? 120;
  const height = 12;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(o.title)}">`,
    `<title>${esc(o.title)}</title>`,
    `<rect x="0" y="2" width="${width}" height="8" rx="4" fill="#e8eaed"/>`,
  ];
  if (value !== null) parts.push(`<rect x="0" y="2" width="${f(Math.min(Math.max(value, 0), 1) * width)}" height="8" rx="4" fill="${o.color}"/>`);
  if (previous !== null) {
    const x = Math.min(Math.max(previous, 0), 1) * (width - 2) + 1;
    parts.push(`<line x1="${f(x)}" y1="0" x2="${f(x)}" y2="${height}" stroke="#202124" stroke-width="1.5"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
