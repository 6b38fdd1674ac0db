import type { EvaluationSnapshot } from '../evaluation/snapshot.js';
import type { StoredEvent } from '../events/types.js';
import { ReviewInputError } from './errors.js';
import { compareSnapshots, isoWeek, snapshotPillarCounts, takeSnapshot, type MilestoneComparison, type MilestoneSnapshot } from './milestones.js';
import { buildPlan, type ImprovementPlan, type PlanItem } from './plan.js';
import { ReviewCore } from './service.js';
import { PLAN_STATUSES, type MilestoneRow, type PlanStatus } from './store.js';

/**
 * The review service: ReviewCore (lenses, answers, evidence, risks) plus milestones and the
 * improvement plan. One per process, built by the runtime and by CLI commands.
 */

export interface MilestoneInfo {
  id: number;
  name: string;
  kind: 'manual' | 'weekly';
  /** ISO week of a weekly milestone, e.g. "2026-W48". */
  week: string | null;
  createdAt: string;
}

export interface PlanItemPatch {
  owner?: unknown;
  due?: unknown;
  status?: unknown;
  note?: unknown;
  actionItems?: unknown;
}

const info = (m: MilestoneRow): MilestoneInfo => ({ id: m.id, name: m.name, kind: m.kind, week: m.week, createdAt: new Date(m.createdAt).toISOString() });
const MAX_NAME = 200;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ACTION_REF = /^[^:\s]+:\S+$/;

export class ReviewService extends ReviewCore {
  /**
   * After every evaluation (the runtime's 'evaluated' listener): applies the evidence, then
   * makes sure this week has its milestone. Never throws; problems are logged.
   */
  onEvaluated(snapshot: EvaluationSnapshot): void {
    try {
      this.applyEvaluation(snapshot);
    } catch (err) {
      this.log.error('review evidence could not be applied', { error: (err as Error).message });
    }
    try {
      this.ensureWeeklyMilestone(snapshot.at);
    } catch (err) {
      this.log.error('weekly review milestone could not be created', { error: (err as Error).message });
    }
  }

  // --- milestones ---

  /** A named snapshot of the review now (the weekly report may call this). */
  createMilestone(name: string): MilestoneInfo {
    const trimmed = typeof name === 'string' ? name.trim() : '';
    if (trimmed === '' || trimmed.length > MAX_NAME) throw new ReviewInputError(`a milestone needs a name of 1 to ${MAX_NAME} characters`, 'name');
    const now = this.now();
    return info(this.store.insertMilestone({ name: trimmed, kind: 'manual', week: null, createdAt: now, snapshot: takeSnapshot(this.review(), now) }));
  }

  /**
   * The milestone of the ISO week `at` falls in (workload time zone), created if missing — at
   * most one per week, whoever asks first (the evaluation loop, or the weekly report, which gets
   * the same one). Returns null while nothing in the review is answered: no empty weekly
   * snapshots for workloads that do not use reviews.
   */
  ensureWeeklyMilestone(at: number = this.now()): MilestoneInfo | null {
    const week = isoWeek(at, this.config.workload?.timezone ?? 'UTC');
    const existing = this.store.milestoneForWeek(week);
    if (existing) return info(existing);
    const reviews = this.review();
    if (!reviews.some((r) => r.questions.some((q) => q.answered || q.notApplicable))) return null;
    return this.store.transaction(() => {
      const again = this.store.milestoneForWeek(week);
      if (again) return info(again);
      return info(this.store.insertMilestone({ name: `Week ${week}`, kind: 'weekly', week, createdAt: at, snapshot: takeSnapshot(reviews, at) }));
    });
  }

  /** The review as it stands now, in milestone form (not stored): the end of a "week so far" report. */
  snapshotNow(): MilestoneSnapshot {
    return takeSnapshot(this.review(), this.now());
  }

  milestones(): MilestoneInfo[] {
    return this.store.listMilestones().map(info);
  }

  milestone(id: number): MilestoneInfo & { snapshot: MilestoneSnapshot; pillars: ReturnType<typeof snapshotPillarCounts> } {
    const m = this.store.getMilestone(id);
    if (!m) throw new ReviewInputError(`no milestone ${id}`, 'id', 404);
    const snapshot = m.snapshot as MilestoneSnapshot;
    return { ...info(m), snapshot, pillars: snapshotPillarCounts(snapshot) };
  }

  /** Risks gained and removed per pillar from milestone `from` to milestone `to` (or to now). */
  compareMilestones(from: number, to: number | 'current'): { from: MilestoneInfo; to: MilestoneInfo | { id: null; name: 'current'; createdAt: string } } & MilestoneComparison {
    const a = this.milestoneOrThrow(from, 'from');
    const now = this.now();
    const b = to === 'current' ? null : this.milestoneOrThrow(to, 'to');
    const toSnapshot = b ? (b.snapshot as MilestoneSnapshot) : takeSnapshot(this.review(), now);
    return {
      from: info(a),
      to: b ? info(b) : { id: null, name: 'current', createdAt: new Date(now).toISOString() },
      ...compareSnapshots(a.snapshot as MilestoneSnapshot, toSnapshot),
    };
  }

  private milestoneOrThrow(id: number, field: string) {
    const m = this.store.getMilestone(id);
    if (!m) throw new ReviewInputError(`no milestone ${id}`, field, 404);
    return m;
  }

  // --- improvement plan ---

  plan(filter: { lens?: string } = {}): ImprovementPlan {
    const reviews = this.review(filter.lens);
    return buildPlan({
      lenses: new Map(this.lenses().map((l) => [l.id, l])),
      reviews,
      rows: this.store.listImprovements(),
      actionItems: this.actionItems(),
      workload: this.config.workload ? { id: this.config.workload.id, title: this.config.workload.title } : null,
      now: this.now(),
    });
  }

  private actionItems(): StoredEvent[] {
    if (!this.events) return [];
    try {
      return this.events.listEvents({ kind: 'action_item', limit: 10_000 });
    } catch (err) {
      this.log.warn('action items could not be read for the improvement plan', { error: (err as Error).message });
      return [];
    }
  }

  /** Sets owner, due date (YYYY-MM-DD), status, note or linked action items of a question's plan item. */
  updatePlanItem(lensId: string, questionId: string, patch: PlanItemPatch): PlanItem | null {
    const lens = this.requireLens(lensId);
    this.requireQuestion(lens, questionId);
    const text = (v: unknown, field: string, max: number): string | null => {
      if (v === null || (typeof v === 'string' && v.trim() === '')) return null;
      if (typeof v !== 'string' || v.length > max) throw new ReviewInputError(`${field} must be text of at most ${max} characters, or null`, field);
      return v.trim();
    };
    const at = this.now();
    this.store.transaction(() => {
      const row = this.store.listImprovements().find((r) => r.lensId === lensId && r.questionId === questionId) ?? {
        lensId, questionId, owner: null, due: null, status: 'open' as PlanStatus, note: null, actionItems: [], createdAt: at, updatedAt: at,
      };
      if (patch.owner !== undefined) row.owner = text(patch.owner, 'owner', MAX_NAME);
      if (patch.note !== undefined) row.note = text(patch.note, 'note', 2048);
      if (patch.due !== undefined) {
        if (patch.due !== null && (typeof patch.due !== 'string' || !DATE.test(patch.due) || Number.isNaN(Date.parse(`${patch.due}T00:00:00Z`)))) {
          throw new ReviewInputError('due must be a date YYYY-MM-DD, or null', 'due');
        }
        row.due = patch.due;
      }
      if (patch.status !== undefined) {
        if (!PLAN_STATUSES.includes(patch.status as PlanStatus)) throw new ReviewInputError(`status must be one of ${PLAN_STATUSES.join(', ')}`, 'status');
        row.status = patch.status as PlanStatus;
      }
      if (patch.actionItems !== undefined) {
        if (!Array.isArray(patch.actionItems)) throw new ReviewInputError('actionItems must be a list of "source:externalId"', 'actionItems');
        patch.actionItems.forEach((r, i) => {
          if (typeof r !== 'string' || !ACTION_REF.test(r)) throw new ReviewInputError(`expected "source:externalId", found ${JSON.stringify(r)}`, `actionItems[${i}]`);
        });
        row.actionItems = [...new Set(patch.actionItems as string[])];
      }
      row.updatedAt = at;
      this.store.putImprovement(row);
    });
    return this.plan({ lens: lensId }).items.find((i) => i.question === questionId) ?? null;
  }
}
