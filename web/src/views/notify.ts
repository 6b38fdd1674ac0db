import { h, setAttr, setHidden, setText } from '../dom.js';
import { formatWhen } from '../format.js';
import type { ChannelInfo, NotificationsSummary, SilenceInfo } from '../model.js';

/**
 * How notifications show on every page (docs/dashboard.md, "Notifications"): a bell with a
 * slash marks what is silenced — with until when, why and who in words beside or under it —
 * and the sentences the header and the banner use.
 */

const SVG = 'http://www.w3.org/2000/svg';

/** A bell with a slash: "silenced". Decorative; the words beside it carry the meaning. */
export function bellIcon(slashed = true): SVGElement {
  const el = document.createElementNS(SVG, 'svg');
  el.setAttribute('viewBox', '0 0 24 24');
  el.setAttribute('class', 'icon bell');
  el.setAttribute('aria-hidden', 'true');
  el.setAttribute('focusable', 'false');
  const path = (d: string, extra: Record<string, string> = {}) => {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    for (const [k, v] of Object.entries({ fill: 'none', stroke: 'currentColor', 'stroke-width': '2.2', 'stroke-linecap': 'round', 'stroke-linejoin': 'round', ...extra })) p.setAttribute(k, v);
    el.appendChild(p);
  };
  path('M6 16.5V11a6 6 0 0 1 12 0v5.5l1.8 1.8H4.2z');
  path('M10 20.5a2.2 2.2 0 0 0 4 0');
  if (slashed) path('M3.5 3.5l17 17', { 'stroke-width': '2.6' });
  return el;
}

/** "until 16:00" (or a date when not today). */
export function untilText(s: SilenceInfo, now: number): string {
  return s.endsAt === null ? '' : `until ${formatWhen(s.endsAt, now)}`;
}

/** "Silenced until 16:00: payment provider migration (ana)". */
export function silenceSentence(s: SilenceInfo, now: number): string {
  const until = untilText(s, now);
  return `Silenced${until ? ` ${until}` : ''}: ${s.reason}${s.createdBy ? ` (${s.createdBy})` : ''}`;
}

/** What a silence covers, in words: "outcome checkout", "every pillar", "rule pages". */
export function silenceTarget(s: SilenceInfo): string {
  if (s.target === '*') return s.kind === 'rule' ? 'every rule' : `every ${s.kind}`;
  return `${s.kind} ${s.target}`;
}

/**
 * The "Silenced until 16:00" tag of a tile, card or page; hidden when nothing silences its
 * subject. The reason and who are in its tooltip (a card has no room for them) and its
 * accessible name.
 */
export class SilenceMark {
  readonly el: HTMLElement;
  private readonly text = h('span', { class: 'silence-text' });
  private key = '';

  constructor(private readonly long = false) {
    // The bell is drawn when first shown: most tiles and cards never are, and carry no hidden icon.
    this.el = h('span', { class: `silence-mark${long ? ' long' : ''}`, hidden: true, 'data-silenced': '' }, this.text);
  }

  update(s: SilenceInfo | null, now: number): void {
    const sentence = s ? silenceSentence(s, now) : '';
    const key = s ? `${s.id}/${sentence}` : '';
    if (key === this.key) return;
    this.key = key;
    setHidden(this.el, s === null);
    this.el.dataset['silenced'] = s ? String(s.id) : '';
    if (!s) return;
    if (this.el.firstChild === this.text) this.el.prepend(bellIcon());
    setText(this.text, this.long ? sentence : `Silenced ${untilText(s, now)}`.trim());
    setAttr(this.el, 'title', sentence);
    setAttr(this.el, 'aria-label', `Notifications ${sentence.charAt(0).toLowerCase()}${sentence.slice(1)}`);
  }
}

/** Channels whose last attempt failed, worst (most failures in a row) first. */
export function failingChannels(n: NotificationsSummary | null): ChannelInfo[] {
  return (n?.channels ?? []).filter((c) => c.failing).sort((a, b) => b.consecutiveFailures - a.consecutiveFailures);
}

/** "chat (webhook): 4 attempts in a row failed since 14:03, last success 13:50 — HTTP 500; 3 messages waiting to be retried". */
export function channelTrouble(c: ChannelInfo, now: number): string {
  return `${c.name}${c.type ? ` (${c.type})` : ''}: ${troubleWords(c, now)}`;
}

/** channelTrouble without the channel's name. */
export function troubleWords(c: ChannelInfo, now: number): string {
  const bits = [`${c.consecutiveFailures} attempt${c.consecutiveFailures === 1 ? '' : 's'} in a row failed${c.failingSince !== null ? ` since ${formatWhen(c.failingSince, now)}` : ''}`];
  bits.push(c.lastSuccessAt !== null ? `last success ${formatWhen(c.lastSuccessAt, now)}` : 'never succeeded');
  const waiting = c.pending > 0 ? `; ${c.pending} message${c.pending === 1 ? '' : 's'} waiting to be retried` : '';
  return `${bits.join(', ')}${c.lastError ? ` — ${c.lastError}` : ''}${waiting}`;
}
