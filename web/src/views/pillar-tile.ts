import { h, setAttr, setHidden, setPrefixedClass, setText } from '../dom.js';
import { Sparkline } from '../charts.js';
import { collectingSince } from '../coverage.js';
import { serverNow } from '../clock.js';
import { fetchHistory } from '../history.js';
import { formatScore } from '../format.js';
import { href } from '../params.js';
import { statusBadge, statusIcon, statusLabel, updateBadge, type UiStatus } from '../status.js';
import type { SilenceInfo } from '../model.js';
import { SilenceMark, silenceSentence } from './notify.js';
import type { Counts, Coverage, PillarSummary } from '../model.js';
import { RISKS, RISK_COUNT_WORD, riskCountsText, riskIcon, type RiskCounts } from '../risk.js';

const WEEK = 7 * 86_400_000;
/** Sparklines change slowly (hourly points): refetched at most this often. */
export const SPARK_REFRESH_MS = 5 * 60_000;
const COUNT_ORDER: Array<keyof Counts> = ['critical', 'warning', 'stale', 'no_data', 'ok'];
const COUNT_WORDS: Record<keyof Counts, string> = { critical: 'critical', warning: 'warning', stale: 'stale', no_data: 'no data', ok: 'ok' };

const sentence = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.');

function countsText(c: Counts): string {
  const parts = COUNT_ORDER.filter((k) => c[k] > 0).map((k) => `${c[k]} ${COUNT_WORDS[k]}`);
  return parts.length ? parts.join(', ') : 'no indicators';
}

/** Statuses that judge a measurement: only these ever stand beside a number (docs/scoring.md, "Coverage"). */
export const JUDGED: ReadonlySet<UiStatus> = new Set(['ok', 'warning', 'critical']);

/** "3 of 4 measured". */
export const coverageText = (c: Coverage): string => `${c.measured} of ${c.total} measured`;

/** One pillar: status, score, 7-day sparkline, indicator counts; "not measured" said as such. */
export class PillarTile {
  readonly li: HTMLLIElement;
  private readonly link: HTMLAnchorElement;
  private readonly badge: HTMLSpanElement;
  private readonly score: HTMLElement;
  private readonly scoreUnit: HTMLElement;
  private readonly coverage: HTMLElement;
  private readonly about: HTMLElement;
  private readonly docs: HTMLAnchorElement;
  private readonly counts: HTMLElement;
  private readonly note: HTMLElement;
  private readonly sparkBox: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly sparkNote: HTMLElement;
  private spark: Sparkline | null = null;
  private readonly review: HTMLElement;
  private countsKey = '';
  private reviewKey = '';
  private reviewText = '';
  private lastLabel: string[] = [];
  private readonly silence = new SilenceMark();
  private silenceText = '';
  fetchedAt = 0;
  measured = true;

  constructor(readonly id: string, title: string) {
    this.badge = statusBadge('unknown');
    this.score = h('span', { class: 'score-value' }, '—');
    this.scoreUnit = h('span', { class: 'score-unit' }, '/100');
    this.coverage = h('span', { class: 'score-coverage', hidden: true });
    this.about = h('p', { class: 'tile-about', hidden: true });
    // Outside the tile's own link (links do not nest), drawn inside the tile by CSS.
    this.docs = h('a', { class: 'tile-docs', hidden: true }, 'How to measure it');
    this.canvas = h('canvas', { role: 'img', 'aria-label': `${title}: score over the last 7 days` });
    this.sparkNote = h('span', { class: 'spark-note' });
    this.sparkBox = h('div', { class: 'spark' }, this.canvas, this.sparkNote);
    this.counts = h('div', { class: 'counts' });
    this.note = h('p', { class: 'tile-note' });
    this.review = h('div', { class: 'review-counts', hidden: true });
    this.link = h(
      'a',
      { class: 'tile st-unknown', href: href(`/pillars/${id}`), 'data-pillar': id },
      h('div', { class: 'tile-head' }, h('h3', { class: 'tile-title' }, title), this.badge),
      this.silence.el,
      this.about,
      h('div', { class: 'tile-body' }, h('div', { class: 'score' }, this.score, this.scoreUnit, this.coverage), this.sparkBox),
      this.counts,
      this.note,
      this.review,
    );
    this.li = h('li', { class: 'tile-item' }, this.link, this.docs);
  }

  update(p: PillarSummary): void {
    const status: UiStatus = p.missing ? 'unknown' : p.status;
    setPrefixedClass(this.link, 'st-', status);
    updateBadge(this.badge, status);
    this.measured = p.measured && !p.missing;
    // A number only beside a status that judges it: "No data" above "100" would contradict itself.
    const score = p.score !== null && JUDGED.has(status) ? p.score : null;
    setText(this.score, score === null ? '' : formatScore(score));
    setHidden(this.score, score === null);
    setHidden(this.scoreUnit, score === null);
    const cov = score !== null && p.coverage ? coverageText(p.coverage) : '';
    setText(this.coverage, cov);
    setHidden(this.coverage, cov === '');
    this.link.dataset['score'] = score === null ? '' : String(score);
    setText(this.about, p.description ?? '');
    setAttr(this.about, 'title', p.description);
    setHidden(this.about, !p.description);
    let note = '';
    if (p.missing) note = 'Missing from the API’s answer';
    else if (!p.measured) note = sentence(p.reasons[0] ?? 'no indicator is declared on this pillar');
    else if (score === null) note = sentence(p.reasons[0] ?? `${statusLabel(status)}: no score`);
    else if (p.reasons.length > 0) note = sentence(p.reasons[0]!);
    // Beside a score the first reason is extra detail (the wall screen leaves it out for room).
    this.note.classList.toggle('extra', score !== null);
    setText(this.note, note);
    setAttr(this.note, 'title', note || null);
    setHidden(this.note, note === '');
    const docs = !p.missing && score === null && p.docs ? p.docs : null;
    setAttr(this.docs, 'href', docs);
    setAttr(this.docs, 'aria-label', docs ? `How to measure ${p.title} (documentation)` : null);
    setHidden(this.docs, docs === null);
    this.link.classList.toggle('has-docs', docs !== null);
    setHidden(this.sparkBox, !this.measured);
    const key = p.counts ? COUNT_ORDER.map((k) => p.counts![k]).join(',') : '';
    if (key !== this.countsKey) {
      this.countsKey = key;
      this.counts.replaceChildren();
      if (p.counts && this.measured) {
        for (const k of COUNT_ORDER) {
          const n = p.counts[k];
          if (n > 0) this.counts.append(h('span', { class: `count st-${k}` }, statusIcon(k), h('b', null, String(n)), ` ${COUNT_WORDS[k]}`));
        }
      }
    }
    setAttr(this.link, 'title', p.description ? `${p.title}: ${p.description}` : null);
    const label = [
      `${p.title}: ${statusLabel(status)}`,
      score !== null ? `score ${formatScore(score)} of 100${p.coverage ? `, ${p.coverage.measured} of ${p.coverage.total} indicators measured` : ''}` : note,
      score !== null ? note : '',
      p.counts && this.measured ? `indicators: ${countsText(p.counts)}` : '',
      p.description ? `covers: ${p.description}` : '',
    ].filter(Boolean);
    this.lastLabel = label;
    this.setLabel();
  }

  private setLabel(): void {
    setAttr(this.link, 'aria-label', [...this.lastLabel, this.silenceText, this.reviewText].filter(Boolean).join('. '));
  }

  /** Marks the tile when a silence keeps its notifications from being sent. */
  setSilence(s: SilenceInfo | null, now: number): void {
    this.silence.update(s, now);
    const text = s ? `Notifications ${silenceSentence(s, now).replace(/^S/, 's')}` : '';
    if (text === this.silenceText) return;
    this.silenceText = text;
    this.link.dataset['silenced'] = s ? String(s.id) : '';
    this.setLabel();
  }

  /**
   * The Well-Architected review's risk counts for this pillar (GET /api/review/summary), beside
   * the measured score: the questions at high and medium risk, with no risk, unanswered and not
   * applicable. Null (no review on this server, or not loaded): nothing is shown.
   */
  setReview(r: { counts: RiskCounts; questions: number } | null): void {
    const key = r && r.questions > 0 ? RISKS.map((k) => r.counts[k]).join(',') : '';
    if (key === this.reviewKey) return;
    this.reviewKey = key;
    this.review.replaceChildren();
    setHidden(this.review, key === '');
    this.reviewText = '';
    if (r && key !== '') {
      this.review.append(h('span', { class: 'review-label' }, 'Review'));
      for (const k of RISKS) {
        const n = r.counts[k];
        if (n > 0) this.review.append(h('span', { class: `count risk-count rk-${k}`, 'data-risk': k }, riskIcon(k), h('b', null, String(n)), ` ${RISK_COUNT_WORD[k]}`));
      }
      this.reviewText = `review risks: ${riskCountsText(r.counts, true)}`;
      setAttr(this.review, 'title', `Well-Architected review, ${r.questions} questions: ${riskCountsText(r.counts, true)}`);
    }
    this.setLabel();
  }

  async refreshSpark(): Promise<void> {
    if (!this.measured) return;
    this.fetchedAt = Date.now();
    try {
      const hist = await fetchHistory(`/api/pillars/${this.id}/history`, WEEK, this.sparkBox.clientWidth || 300);
      if (!this.li.isConnected) return;
      this.spark ??= new Sparkline(this.canvas);
      this.spark.set(hist);
      const values = hist.points.map((p) => p[1]).filter((v): v is number => v !== null);
      // A young history: the line starts at the first sample, and the note says since when.
      const since = collectingSince(hist, serverNow());
      setText(this.sparkNote, values.length ? (since ?? '') : 'no history yet');
      this.sparkNote.classList.toggle('since', values.length > 0 && since !== null);
      const first = values[0];
      const last = values[values.length - 1];
      setAttr(
        this.canvas,
        'aria-label',
        values.length ? `score over the last 7 days${since ? ` (${since})` : ''}: from ${formatScore(first)} to ${formatScore(last)}, lowest ${formatScore(Math.min(...values))}` : 'no score history in the last 7 days',
      );
    } catch (err) {
      setText(this.sparkNote, 'history unavailable');
      this.fetchedAt = Date.now() - SPARK_REFRESH_MS + 30_000;
      console.warn(`pillar ${this.id} history: ${(err as Error).message}`);
    }
  }

  destroy(): void {
    this.spark?.destroy();
  }
}
