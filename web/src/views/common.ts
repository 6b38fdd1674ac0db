import { h, setText } from '../dom.js';
import { href, replaceParam } from '../params.js';
import type { Summary } from '../model.js';
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
  const bottom = clip.getBoundingClientRect().bottom;
  const cut = items.filter((el) => el.getBoundingClientRect().bottom > bottom + 1);
  for (const el of cut) el.hidden = true;
  setText(more, describe(cut));
}
