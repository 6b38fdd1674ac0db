import { Gauge, type Registry } from 'prom-client';
import { QUESTION_RISKS } from './risk-rules.js';
import type { ReviewSummary } from './view.js';

/**
 * `pillarboard_review_questions{lens,pillar,risk}`: questions per lens, pillar and risk, read
 * from the review at scrape time (nothing cached, so an imported or deleted lens shows at the
 * next scrape). `pillar` is Pillarboard's pillar id, or the lens's own pillar id for a pillar of
 * its own; `risk` is high, medium, none, unanswered or not_applicable — every risk is present,
 * 0 included, so sums and ratios need no `or vector(0)`.
 */
export function registerReviewMetrics(registry: Registry, summary: () => ReviewSummary | null): void {
  new Gauge({
    name: 'pillarboard_review_questions',
    help: 'Well-Architected review questions by lens, pillar and risk (high, medium, none, unanswered, not_applicable).',
    labelNames: ['lens', 'pillar', 'risk'],
    registers: [registry],
    collect() {
      this.reset();
      let s: ReviewSummary | null;
      try {
        s = summary();
      } catch {
        return; // the database is closing or busy: no review numbers this scrape rather than a failed scrape
      }
      if (!s) return;
      for (const lens of s.lenses) {
        for (const p of lens.pillars) {
          for (const risk of QUESTION_RISKS) this.set({ lens: lens.id, pillar: p.pillar ?? p.id, risk }, p.counts[risk]);
        }
      }
    },
  });
}
