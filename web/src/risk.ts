/**
 * How Well-Architected review risks look (docs/review.md). Like statuses, never by colour
 * alone: each risk has its own icon shape and its words — a diamond with "!" (high), a
 * triangle with "!" (medium), a check in a disc (no risk), a dashed circle with "?"
 * (unanswered), a circle with a bar (not applicable).
 */

export const RISKS = ['high', 'medium', 'none', 'unanswered', 'not_applicable'] as const;
export type Risk = (typeof RISKS)[number];
export type RiskCounts = Record<Risk, number>;

export const RISK_LABEL: Record<Risk, string> = {
  high: 'High risk',
  medium: 'Medium risk',
  none: 'No risk',
  unanswered: 'Unanswered',
  not_applicable: 'Not applicable',
};

/** Short words for counts: "2 high", "3 unanswered". */
export const RISK_COUNT_WORD: Record<Risk, string> = {
  high: 'high',
  medium: 'medium',
  none: 'no risk',
  unanswered: 'unanswered',
  not_applicable: 'n/a',
};

export const isRisk = (v: unknown): v is Risk => typeof v === 'string' && (RISKS as readonly string[]).includes(v);

export function emptyRiskCounts(): RiskCounts {
  return { high: 0, medium: 0, none: 0, unanswered: 0, not_applicable: 0 };
}

/** "2 high, 1 medium, 3 unanswered" (non-zero counts; "no questions" when all are zero). */
export function riskCountsText(c: RiskCounts, all = false): string {
  const parts = RISKS.filter((r) => all || c[r] > 0).map((r) => `${c[r]} ${RISK_COUNT_WORD[r]}`);
  return parts.length ? parts.join(', ') : 'no questions';
}

const SVG = 'http://www.w3.org/2000/svg';

const SHAPES: Record<Risk, Array<[string, Record<string, string>]>> = {
  high: [
    ['path', { d: 'M12 1.2L22.8 12 12 22.8 1.2 12z', fill: 'currentColor', 'stroke-linejoin': 'round' }],
    ['path', { d: 'M12 6.8v6.4', class: 'ink', 'stroke-width': '2.6', 'stroke-linecap': 'round' }],
    ['circle', { cx: '12', cy: '17', r: '1.5', class: 'ink-fill' }],
  ],
  medium: [
    ['path', { d: 'M12 2.2L23 21.5H1z', fill: 'currentColor', 'stroke-linejoin': 'round' }],
    ['path', { d: 'M12 9v6', class: 'ink', 'stroke-width': '2.6', 'stroke-linecap': 'round' }],
    ['circle', { cx: '12', cy: '18.2', r: '1.5', class: 'ink-fill' }],
  ],
  none: [
    ['circle', { cx: '12', cy: '12', r: '10', fill: 'currentColor' }],
    ['path', { d: 'M7 12.5l3.2 3.2L17 9', fill: 'none', class: 'ink', 'stroke-width': '2.6', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }],
  ],
  unanswered: [
    ['circle', { cx: '12', cy: '12', r: '9.5', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.4', 'stroke-dasharray': '3.2 2.6' }],
    ['path', { d: 'M9.4 9.5a2.7 2.7 0 1 1 3.8 2.5c-.8.4-1.2.9-1.2 1.8v.4', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.2', 'stroke-linecap': 'round' }],
    ['circle', { cx: '12', cy: '17.4', r: '1.3', fill: 'currentColor' }],
  ],
  not_applicable: [
    ['circle', { cx: '12', cy: '12', r: '9.5', fill: 'none', stroke: 'currentColor', 'stroke-width': '2.4' }],
    ['path', { d: 'M7 12h10', stroke: 'currentColor', 'stroke-width': '2.6', 'stroke-linecap': 'round' }],
  ],
};

const built = new Map<Risk, SVGElement>();

/** The risk icon, decorative (the words beside it carry the meaning). */
export function riskIcon(risk: Risk): SVGElement {
  let icon = built.get(risk);
  if (!icon) {
    icon = document.createElementNS(SVG, 'svg');
    for (const [k, v] of Object.entries({ viewBox: '0 0 24 24', class: `icon rk-${risk}`, 'aria-hidden': 'true', focusable: 'false' })) icon.setAttribute(k, v);
    for (const [tag, attrs] of SHAPES[risk]) {
      const el = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      icon.appendChild(el);
    }
    built.set(risk, icon);
  }
  return icon.cloneNode(true) as SVGElement;
}

/** Icon + words ("◆ High risk"); `data-risk` for tests and styles. */
export function riskBadge(risk: Risk, text: string = RISK_LABEL[risk]): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = `badge risk rk-${risk}`;
  el.dataset['risk'] = risk;
  el.append(riskIcon(risk), document.createTextNode(text));
  return el;
}
