import { serverNow } from '../clock.js';
import { h, setHidden } from '../dom.js';
import { STATUS_META } from '../status.js';
import type { Summary } from '../model.js';
import type { ReviewSummary } from '../review-data.js';
import { fitChildren, hiddenSummary, shortenToLines, type View, type ViewContext } from './common.js';
import { OutcomeCard } from './outcome-card.js';
import { PillarTile, SPARK_REFRESH_MS } from './pillar-tile.js';

/** The overview: six pillar tiles and one card per business outcome. */
export class OverviewView implements View {
  readonly el: HTMLElement;
  private readonly tiles: PillarTile[];
  private readonly cards = new Map<string, OutcomeCard>();
  private readonly list: HTMLUListElement;
  private readonly more: HTMLElement;
  private readonly empty: HTMLElement;
  private order = '';

  constructor(private readonly ctx: ViewContext, pillars: Array<[string, string]>) {
    this.tiles = pillars.map(([id, title]) => new PillarTile(id, title));
    this.list = h('ul', { class: 'cards', 'aria-labelledby': 'outcomes-h' });
    this.more = h('p', { class: 'more-note', hidden: true });
    this.empty = h('p', { class: 'notice notice-info', hidden: true }, 'No business outcomes are declared in the workload.');
    this.el = h(
      'div',
      { class: 'overview' },
      h(
        'section',
        { class: 'pillars', 'aria-labelledby': 'pillars-h' },
        h('h2', { id: 'pillars-h', class: 'section-title' }, 'Well-Architected pillars'),
        h('ul', { class: 'tiles' }, ...this.tiles.map((t) => t.li)),
      ),
      h('section', { class: 'outcomes', 'aria-labelledby': 'outcomes-h' }, h('h2', { id: 'outcomes-h', class: 'section-title' }, 'Business outcomes'), this.empty, this.list, this.more),
    );
  }

  title(): string {
    return 'Overview';
  }

  parent(): null {
    return null;
  }

  update(s: Summary): void {
    const clock = serverNow();
    const silenced = s.notifications?.silenced;
    s.pillars.forEach((p, i) => {
      this.tiles[i]?.update(p);
      this.tiles[i]?.setSilence(silenced?.get(`pillar:${p.id}`) ?? null, clock);
    });
    const now = Date.now();
    for (const t of this.tiles) if (now - t.fetchedAt > SPARK_REFRESH_MS) void t.refreshSpark();

    const seen = new Set<string>();
    for (const o of s.outcomes) {
      if (seen.has(o.id)) continue;
      seen.add(o.id);
      let card = this.cards.get(o.id);
      if (!card) {
        card = new OutcomeCard(o.id);
        this.cards.set(o.id, card);
      }
      card.update(o);
      card.setSilence(silenced?.get(`outcome:${o.id}`) ?? null, clock);
    }
    for (const [id, card] of this.cards) {
      if (!seen.has(id)) {
        card.li.remove();
        this.cards.delete(id);
      }
    }
    setHidden(this.empty, this.cards.size > 0);
    // Many outcomes: smaller cards, so more of them fit at a glance.
    this.list.classList.toggle('compact', this.cards.size > (this.ctx.kiosk ? 8 : 24));

    this.arrange([...seen]);
  }

  updateReview(r: ReviewSummary | null): void {
    for (const t of this.tiles) t.setReview(r?.pillars.get(t.id) ?? null);
    if (this.ctx.kiosk && this.cards.size) this.arrange([...this.cards.keys()]);
  }

  /** Workload order; on a kiosk screen that cannot show them all, worst first, and say what is left out. */
  private arrange(ids: string[]): void {
    let ordered = ids;
    if (this.ctx.kiosk && ids.length > 6) {
      const rank = (id: string) => this.cards.get(id)!;
      ordered = [...ids].sort((a, b) => STATUS_META[rank(b).status].severity - STATUS_META[rank(a).status].severity || (rank(a).score ?? 101) - (rank(b).score ?? 101));
    }
    const key = ordered.join('\n');
    if (key !== this.order) {
      this.order = key;
      this.list.append(...ordered.map((id) => this.cards.get(id)!.li));
    }
    if (this.ctx.kiosk) {
      // Reasons on a TV: whole words, a few lines, never a clipped box (full text in the title).
      for (const el of this.el.querySelectorAll<HTMLElement>('.tile-note')) shortenToLines(el, 2);
      for (const el of this.list.querySelectorAll<HTMLElement>('.attain-label')) shortenToLines(el, 2);
      // Few outcomes: cards as tall as the room below the pillars (fill), with larger text
      // (large) when that still fits — the screen's lower half is not left empty.
      for (const li of this.list.children) (li as HTMLElement).hidden = false;
      const overflows = () => this.list.scrollHeight > this.list.clientHeight + 1;
      for (const cls of ['fill', 'large']) this.list.classList.toggle(cls, this.cards.size <= 6);
      if (overflows()) this.list.classList.remove('large');
      if (overflows()) this.list.classList.remove('fill');
      fitChildren(this.list, [...this.list.children] as HTMLElement[], this.more, (hidden) => hiddenSummary(hidden, 'outcomes'));
    }
  }

  destroy(): void {
    for (const t of this.tiles) t.destroy();
  }
}
