import { h } from '../dom.js';
import { formatPercent } from '../format.js';

/** An SLO error-budget bar: the share left (clamped to 0–100%), in words and as a meter. */
export function budgetBar(remaining: number, indicator: string): HTMLElement {
  const pct = Math.max(0, Math.min(1, remaining));
  const text = remaining <= 0 ? `spent (${formatPercent(1 - remaining)} used)` : `${formatPercent(remaining)} left`;
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${(pct * 100).toFixed(1)}%`;
  const level = remaining <= 0 ? 'critical' : remaining < 0.25 ? 'warning' : 'ok';
  return h(
    'span',
    { class: 'budget-inline' },
    h('span', { class: 'stat-value' }, text),
    h('span', { class: `bar lvl-${level}`, role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': (pct * 100).toFixed(0), 'aria-label': `Error budget ${text} (${indicator})` }, fill),
  );
}
