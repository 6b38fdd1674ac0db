import { createHash } from 'node:crypto';
import type { Pillar } from '../../scoring/types.js';
import { compileRiskRules, type CompiledRiskRules } from '../risk-rules.js';
import { isNoneChoice, type LensDocument, type LensQuestion } from './format.js';
import { pillarOf } from './pillars.js';

/** A validated lens, indexed for answering and scoring. Built from a LensDocument, never stored. */
export interface CompiledLens {
  /** Pillarboard's id for the lens (`wellarchitected`, or the id given at import). */
  id: string;
  doc: LensDocument;
  /** sha256 of the canonical JSON: equal lenses, equal hash. */
  hash: string;
  pillars: CompiledPillar[];
  questions: Map<string, CompiledQuestion>;
}

export interface CompiledPillar {
  id: string;
  name: string;
  /** Pillarboard's pillar, or null for a pillar of the lens's own. */
  pillar: Pillar | null;
  questions: CompiledQuestion[];
}

export interface CompiledQuestion {
  id: string;
  title: string;
  pillarId: string;
  pillarName: string;
  pillar: Pillar | null;
  /** Position in the lens, for stable ordering across pillars. */
  order: number;
  question: LensQuestion;
  choiceIds: string[];
  /** The "None of these" choice, if the question has one. */
  noneChoice: string | null;
  rules: CompiledRiskRules;
}

export function lensHash(doc: LensDocument): string {
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex');
}

/** Compiles a lens that `validateLens` accepted; throws if its risk rules do not compile (a bug upstream). */
export function compileLens(id: string, doc: LensDocument): CompiledLens {
  const questions = new Map<string, CompiledQuestion>();
  let order = 0;
  const pillars = doc.pillars.map((p): CompiledPillar => {
    const pillar = pillarOf(p.id);
    const qs = p.questions.map((q): CompiledQuestion => {
      const choiceIds = q.choices.map((c) => c.id);
      const { compiled, issues } = compileRiskRules(q.riskRules, choiceIds);
      if (!compiled) throw new Error(`lens ${id}: question ${q.id}: ${issues.map((i) => i.message).join('; ')}`);
      const cq: CompiledQuestion = {
        id: q.id,
        title: q.title,
        pillarId: p.id,
        pillarName: p.name,
        pillar,
        order: order++,
        question: q,
        choiceIds,
        noneChoice: choiceIds.find(isNoneChoice) ?? null,
        rules: compiled,
      };
      questions.set(q.id, cq);
      return cq;
    });
    return { id: p.id, name: p.name, pillar, questions: qs };
  });
  return { id, doc, hash: lensHash(doc), pillars, questions };
}
