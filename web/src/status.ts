/**
 * How statuses look. Never by colour alone: every status has its own icon shape and a
 * word. Colours come from the Okabe–Ito palette, which people with the common forms of
 * colour blindness tell apart (see styles.css, --ok, --warning, …).
 */

export const STATUSES = ['ok', 'warning', 'critical', 'no_data', 'stale'] as const;
export type Status = (typeof STATUSES)[number];
/** What the dashboard shows: the API's statuses, pillars' not_measured, and anything unexpected. */
export type UiStatus = Status | 'not_measured' | 'unknown';

interface Meta {
  label: string;
  /** Rank for "worst first": higher is worse. */
  severity: number;
}

export const STATUS_META: Record<UiStatus, Meta> = {
  ok: { label: 'OK', severity: 0 },
  not_measured: { label: 'Not measured', severity: 1 },
  no_data: { label: 'No data', severity: 2 },
  unknown: { label: 'Unknown', severity: 3 },
  stale: { label: 'Stale', severity: 4 },
  warning: { label: 'Warning', severity: 5 },
  critical: { label: 'Critical', severity: 6 },
};

export function toUiStatus(raw: unknown): UiStatus {
  return typeof raw === 'string' && raw in STATUS_META ? (raw as UiStatus) : 'unknown';
}

export const statusLabel = (s: UiStatus): string => STATUS_META[s].label;

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** Shapes on a 24×24 grid; distinct outlines so the icon alone still tells the status. */
const SHAPES: Record<UiStatus, Array<[string, Record<string, string>]>> = {
  ok: [
    ['circle', { cx: '12', cy: '12', r: '10', fill: 'currentColor' }],
    ['path', { d: 'M7 12.5l3.2 3.2L17 9', fill: 'none', class: 'ink', 'stroke-width': '2.6', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }],
  ],
  warning: [
    ['path', { d: 'M12 2.2L23 21.5H1z', fill: 'currentColor', 'stroke-linejoin': 'round' }],
    ['path', { d: 'M12 9v6', class: 'ink', 'stroke-width': '2.6', 'stroke-linecap': 'round' }],
    ['circle', { cx: '12', cy: '18.2', r: '1.5', class: 'ink-fill' }],
  ],
  critical: [
    ['path', { d: 'M7.9 1.5h8.2l5.9 5.9v8.2l-5.9 5.9H7.9L2 15.6V7.4z', fill: 'currentColor' }],
    ['path', { d: 'M8.3 8.3l7.4 7.4M15.7 8.3l-7.4 7.4', class: 'ink', 'stroke-width': '2.6', 'stroke-linecap': 'round' }],
  ],
  no_data: [
    ['circle', { cx: '12', cy: '12', r: '9.5', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.4', 'stroke-dasharray': '3.2 2.6' }],
    ['path', { d: 'M7.5 12h9', stroke: 'currentColor', 'stroke-width': '2.6', 'stroke-linecap': 'round' }],
  ],
  stale: [
    ['circle', { cx: '12', cy: '12', r: '10', fill: 'currentColor' }],
    ['path', { d: 'M12 6.5V12l3.8 2.6', fill: 'none', class: 'ink', 'stroke-width': '2.4', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }],
  ],
  not_measured: [
    ['circle', { cx: '12', cy: '12', r: '9.5', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.4' }],
    ['path', { d: 'M5.5 18.5l13-13', stroke: 'currentColor', 'stroke-width': '2.4', 'stroke-linecap': 'round' }],
  ],
  unknown: [
    ['circle', { cx: '12', cy: '12', r: '9.5', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.4' }],
    ['path', { d: 'M9.2 9.3a2.9 2.9 0 1 1 4 2.7c-.8.4-1.2 1-1.2 1.9v.6', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.2', 'stroke-linecap': 'round' }],
    ['circle', { cx: '12', cy: '17.6', r: '1.4', fill: 'currentColor' }],
  ],
};

const built = new Map<UiStatus, SVGElement>();

/** The status icon, decorative (the word beside it carries the meaning for screen readers). */
export function statusIcon(status: UiStatus): SVGElement {
  let icon = built.get(status);
  if (!icon) {
    icon = svg('svg', { viewBox: '0 0 24 24', class: `icon st-${status}`, 'aria-hidden': 'true', focusable: 'false' });
    for (const [tag, attrs] of SHAPES[status]) icon.appendChild(svg(tag, attrs));
    built.set(status, icon);
  }
  // Cloning a built icon is several times cheaper than building it again.
  return icon.cloneNode(true) as SVGElement;
}

/** Icon + word, e.g. "▲ Warning"; `data-status` lets tests and styles find it. */
export function statusBadge(status: UiStatus, text: string = statusLabel(status)): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = `badge st-${status}`;
  el.dataset['status'] = status;
  el.append(statusIcon(status), document.createTextNode(text));
  return el;
}

/** Updates a badge made by statusBadge in place (only when something changed). */
export function updateBadge(el: HTMLElement, status: UiStatus, text: string = statusLabel(status)): void {
  if (el.dataset['status'] !== status) {
    el.className = `badge st-${status}`;
    el.dataset['status'] = status;
    el.replaceChildren(statusIcon(status), document.createTextNode(text));
  } else if (el.lastChild?.textContent !== text) {
    el.lastChild!.textContent = text;
  }
}
