import { windowWords } from '../coverage.js';
import { h, setAttr, setHidden, setPrefixedClass, setText } from '../dom.js';
import { formatPercent, formatValue } from '../format.js';
import { href } from '../params.js';
import { STATUS_META, statusBadge, statusIcon, statusLabel, updateBadge, type UiStatus } from '../status.js';
import type { OutcomeSummary, SilenceInfo } from '../model.js';
import { SilenceMark, silenceSentence } from './notify.js';
import { JUDGED, coverageText } from './pillar-tile.js';

/** One business outcome: attainment, status, owner, key indicators, error-budget bar. */
export class OutcomeCard {
  readonly li: HTMLLIElement;
  private readonly link: HTMLAnchorElement;
  private readonly title: HTMLElement;
  private readonly owner: HTMLElement;
  private readonly badge: HTMLSpanElement;
  private readonly attain: HTMLElement;
  private readonly attainNote: HTMLElement;
  private readonly budget: HTMLElement;
  private readonly budgetLabel: HTMLElement;
  private readonly budgetBar: HTMLElement;
  private readonly budgetFill: HTMLElement;
  private readonly keys: HTMLUListElement;
  private keysKey = '';
  private readonly silence = new SilenceMark();
  private silenceText = '';
  private baseLabel = '';
  status: UiStatus = 'unknown';
  score: number | null = null;

  constructor(readonly id: string) {
    this.title = h('h3', { class: 'card-title' });
    this.owner = h('p', { class: 'card-owner' });
    this.badge = statusBadge('unknown');
    this.attain = h('span', { class: 'attain-value' });
    this.attainNote = h('span', { class: 'attain-label' });
    this.budgetLabel = h('span', { class: 'budget-label' });
    this.budgetFill = h('span', { class: 'bar-fill' });
    this.budgetBar = h('span', { class: 'bar', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100' }, this.budgetFill);
    this.budget = h('div', { class: 'budget' }, this.budgetLabel, this.budgetBar);
    this.keys = h('ul', { class: 'key-inds' });
    this.link = h(
      'a',
      { class: 'card st-unknown', href: href(`/outcomes/${id}`), 'data-outcome': id },
      h('div', { class: 'card-head' }, this.title, this.badge),
      this.silence.el,
      this.owner,
      h('div', { class: 'attain' }, this.attain, this.attainNote),
      this.budget,
      this.keys,
    );
    this.li = h('li', null, this.link);
  }

  update(o: OutcomeSummary): void {
    this.status = o.status;
    this.score = o.score;
    this.li.dataset['status'] = o.status;
    setPrefixedClass(this.link, 'st-', o.status);
    setText(this.title, o.title);
    updateBadge(this.badge, o.status);
    setText(this.owner, o.owner ? `Owner: ${o.owner}` : 'No owner set');
    // A number only beside a status that judges it (docs/scoring.md, "Coverage").
    const attainment = o.attainment !== null && JUDGED.has(o.status) ? o.attainment : null;
    setText(this.attain, attainment === null ? '' : formatPercent(attainment));
    setHidden(this.attain, attainment === null);
    this.li.dataset['attainment'] = attainment === null ? '' : String(attainment);
    const why =
      o.indicators.length === 0
        ? 'No indicators declared: nothing measures this outcome'
        : attainment === null
          ? sentence(o.reasons[0] ?? 'no indicator has data yet')
          : `attainment${o.coverage ? ` · ${coverageText(o.coverage)}` : ''}`;
    setText(this.attainNote, why);
    setAttr(this.attainNote, 'title', attainment === null ? why : null);

    const eb = o.errorBudget;
    setHidden(this.budget, eb === null);
    if (eb) {
      const left = eb.budgetRemaining;
      const pct = Math.max(0, Math.min(1, left));
      const partial = eb.windowCoverage !== null && eb.windowCoverage < 0.999 ? ` (${windowWords(eb.windowSeconds, eb.windowCoverage)})` : '';
      const text = (left <= 0 ? `Error budget spent (${formatPercent(1 - left)} used)` : `Error budget ${formatPercent(left)} left`) + partial;
      setText(this.budgetLabel, text);
      const width = `${(pct * 100).toFixed(1)}%`;
      if (this.budgetFill.style.width !== width) this.budgetFill.style.width = width;
      setPrefixedClass(this.budgetBar, 'lvl-', left <= 0 ? 'critical' : left < 0.25 ? 'warning' : 'ok');
      setAttr(this.budgetBar, 'aria-valuenow', (pct * 100).toFixed(0));
      setAttr(this.budgetBar, 'aria-label', `${text}, from ${o.indicators.find((i) => i.id === eb.indicator)?.title ?? eb.indicator}`);
    }

    const shown = keyIndicators(o);
    const key = shown.map((i) => `${i.id}|${i.status}|${i.value}|${i.title}`).join(';') + `|${o.indicators.length}`;
    if (key !== this.keysKey) {
      this.keysKey = key;
      this.keys.replaceChildren(
        ...shown.map((i) =>
          h('li', { class: `key-ind st-${i.status}` }, statusIcon(i.status), h('span', { class: 'ki-title' }, i.title), h('span', { class: 'ki-value' }, i.value === null ? statusLabel(i.status) : formatValue(i.value, i.unit))),
        ),
      );
      if (o.indicators.length === 0) this.keys.append(h('li', { class: 'key-ind muted' }, 'This outcome has no indicators: nothing measures it.'));
      else if (o.indicators.length > shown.length) this.keys.append(h('li', { class: 'key-ind more' }, `+${o.indicators.length - shown.length} more indicators`));
    }
    this.baseLabel = `${o.title}: ${statusLabel(o.status)}, ${attainment === null ? why : `attainment ${formatPercent(attainment)}${o.coverage ? `, ${o.coverage.measured} of ${o.coverage.total} indicators measured` : ''}`}${o.owner ? `, owner ${o.owner}` : ''}${eb ? `. ${this.budgetLabel.textContent}` : ''}`;
    this.setLabel();
  }

  private setLabel(): void {
    setAttr(this.link, 'aria-label', [this.baseLabel, this.silenceText].filter(Boolean).join('. '));
  }

  /** Marks the card when a silence keeps its notifications from being sent. */
  setSilence(s: SilenceInfo | null, now: number): void {
    this.silence.update(s, now);
    const text = s ? `Notifications ${silenceSentence(s, now).replace(/^S/, 's')}` : '';
    if (text === this.silenceText) return;
    this.silenceText = text;
    this.li.dataset['silenced'] = s ? String(s.id) : '';
    this.setLabel();
  }
}

const sentence = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.');

/**
 * Up to three indicators worth a glance: the key ones (they gate the outcome), then the
 * worst of the rest, then the heaviest.
 */
function keyIndicators(o: OutcomeSummary) {
  return [...o.indicators]
    .sort((a, b) => Number(b.key) - Number(a.key) || STATUS_META[b.status].severity - STATUS_META[a.status].severity || (b.weight ?? 0) - (a.weight ?? 0))
    .slice(0, 3);
}
