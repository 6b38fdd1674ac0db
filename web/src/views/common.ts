import { h, setText } from '../dom.js';
import { href, replaceParam } from '../params.js';
import type { Summary } from '../model.js';
import { STATUS_META, statusLabel, type UiStatus } from '../status.js';
import type { ReviewSummary } from '../review-data.js';

/** What every page of the dashboard implements; the app swaps them on navigation. */
export interface View {
  readonly el: HTMLElement;
  /** For document.title. */
  title(): string;
  /** Called after mounting, and with every new summary (stream or poll). */
  update(summary: Summary): void;
  /** The path of the page "up" from here (Escape goes there), or null on the overview. */
  parent(): string | null;
  /** The review's risk counts (null: no review on this server); called after mounting and when they change. */
  updateReview?(review: ReviewSummary | null): void;
  destroy(): void;
}

export interface ViewContext {
  kiosk: boolean;
}

export const RANGES = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 } as const;
export type RangeKey = keyof typeof RANGES;
export const DEFAULT_RANGE: RangeKey = '7d';
const RANGE_WORDS: Record<RangeKey, string> = { '24h': 'last 24 hours', '7d': 'last 7 days', '30d': 'last 30 days', '90d': 'last 90 days' };

export function currentRange(): RangeKey {
  const r = new URLSearchParams(location.search).get('range');
  return r !== null && r in RANGES ? (r as RangeKey) : DEFAULT_RANGE;
}

/** "Overview › Reliability › Checkout latency", hidden in kiosk mode by CSS. */
export function crumbs(trail: Array<[string, string | null]>): HTMLElement {
  const nav = h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' });
  const ol = h('ol');
  trail.forEach(([label, path], i) => {
    const last = i === trail.length - 1;
    ol.append(h('li', null, path && !last ? h('a', { href: href(path) }, label) : h('span', { 'aria-current': last ? 'page' : null }, label)));
  });
  nav.append(ol);
  return nav;
}

/**
 * 24h / 7d / 30d / 90d buttons (aria-pressed), kept in the URL as `range=` so a refresh or a
 * shared link shows the same range. In kiosk mode the words replace the buttons.
 */
export class RangePicker {
  readonly el: HTMLElement;
  private readonly buttons = new Map<RangeKey, HTMLButtonElement>();
  private readonly words: HTMLElement;

  constructor(
    private range: RangeKey,
    private readonly onChange: (r: RangeKey) => void,
  ) {
    this.words = h('span', { class: 'range-words' }, RANGE_WORDS[range]);
    const group = h('div', { class: 'range-picker', role: 'group', 'aria-label': 'Time range' });
    for (const key of Object.keys(RANGES) as RangeKey[]) {
      const b = h('button', { type: 'button', 'aria-pressed': String(key === range), 'aria-label': RANGE_WORDS[key] }, key);
      b.addEventListener('click', () => this.select(key));
      this.buttons.set(key, b);
      group.append(b);
    }
    this.el = h('div', { class: 'range' }, group, this.words);
  }

  private select(key: RangeKey): void {
    if (key === this.range) return;
    this.range = key;
    for (const [k, b] of this.buttons) b.setAttribute('aria-pressed', String(k === key));
    setText(this.words, RANGE_WORDS[key]);
    replaceParam('range', key === DEFAULT_RANGE ? null : key);
    this.onChange(key);
  }
}

/** An inline message inside a view: loading, an error, or what is missing. */
export function notice(kind: 'info' | 'error' | 'loading', text: string): HTMLElement {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : null }, text);
}

/** A labelled number for the detail headers: "Score 85.7 /100". */
export function stat(label: string, value: HTMLElement, extra?: string): HTMLElement {
  return h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label), value, extra ? h('span', { class: 'stat-extra' }, extra) : null);
}

/**
 * Kiosk screens cannot scroll: hides the `items` that fall below the bottom edge of `clip`
 * and says how many in `more` (via `describe`). Two layouts per call, whatever the count.
 */
export function fitChildren(clip: HTMLElement, items: HTMLElement[], more: HTMLElement, describe: (hidden: HTMLElement[]) => string): void {
  for (const el of items) if (el.hidden) el.hidden = false;
  more.hidden = true;
  if (clip.scrollHeight <= clip.clientHeight + 1) return;
  more.hidden = false;
  // Measure with the note already holding text (it takes room from `clip`), and again once
  // it holds the final text, so no item is left half under the edge.
  setText(more, describe(items));
  const overflowing = () => {
    const bottom = clip.getBoundingClientRect().bottom;
    return items.filter((el) => !el.hidden && el.getBoundingClientRect().bottom > bottom + 1);
  };
  for (let pass = 0; pass < 3; pass++) {
    const over = overflowing();
    if (over.length === 0) break;
    for (const el of over) el.hidden = true;
    setText(more, describe(items.filter((el) => el.hidden)));
  }
  // Hiding items can free more room than they took (a table's columns narrow, its rows wrap
  // less): take back, in order, every hidden item that now fits.
  for (const el of items.filter((x) => x.hidden)) {
    el.hidden = false;
    const hidden = items.filter((x) => x.hidden);
    if (hidden.length === 0) more.hidden = true;
    else setText(more, describe(hidden));
    if (overflowing().length > 0) {
      el.hidden = true;
      more.hidden = false;
      setText(more, describe(items.filter((x) => x.hidden)));
      break;
    }
  }
}

/**
 * A wall screen cannot be clicked for the rest of a sentence, and a box that cuts its text
 * (a CSS line clamp) cuts words and letters: so shortens `el`'s text at a word boundary, with
 * "…", to at most `lines` lines. The full text stays in the `title` attribute.
 */
export function shortenToLines(el: HTMLElement, lines: number): void {
  const full = el.textContent ?? '';
  if (full === '' || el.getClientRects().length === 0) return;
  el.textContent = 'x';
  const line = el.getBoundingClientRect().height;
  el.textContent = full;
  const max = line * lines + 1;
  if (el.getBoundingClientRect().height <= max) return;
  if (!el.title) el.title = full;
  const words = full.split(/\s+/);
  const text = (n: number) => `${words.slice(0, n).join(' ').replace(/[\s,;:.(–—-]+$/, '')}…`;
  let lo = 1;
  let hi = words.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    el.textContent = text(mid);
    if (el.getBoundingClientRect().height <= max) lo = mid;
    else hi = mid - 1;
  }
  el.textContent = text(lo);
}

/** Worst first (critical, warning, stale … OK), then the lowest score; otherwise in the given order. */
export function worstFirst<T extends { status: UiStatus; score: number | null }>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => STATUS_META[b.item.status].severity - STATUS_META[a.item.status].severity || (a.item.score ?? 101) - (b.item.score ?? 101) || a.i - b.i)
    .map((x) => x.item);
}

/**
 * What a kiosk screen left out, counted by status (each item's `data-status`), worst first:
 * "+4 more indicators: 1 warning, 3 OK". A person at the wall knows whether what is hidden matters.
 */
export function hiddenSummary(hidden: readonly HTMLElement[], noun: string): string {
  const counts = new Map<UiStatus, number>();
  for (const el of hidden) {
    const status = el.dataset['status'] as UiStatus | undefined;
    if (status && status in STATUS_META) counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  const parts = [...counts].sort((a, b) => STATUS_META[b[0]].severity - STATUS_META[a[0]].severity).map(([st, n]) => `${n} ${st === 'ok' ? 'OK' : statusLabel(st).toLowerCase()}`);
  return `+${hidden.length} more ${noun}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
