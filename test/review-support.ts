import type { EvaluationSnapshot, IndicatorSnapshot } from '../server/evaluation/snapshot.js';
import type { Status } from '../server/scoring/types.js';

/** Helpers shared by the review tests (not a test file itself). */

/**
 * A lens written for the tests that uses every field of the custom-lens format: lens
 * description, a framework pillar and a pillar of its own, question description and helpful
 * resource, choices with description, helpful resource, improvement plan and both kinds of
 * additional resources, a "None of these" choice, all three risks and the default rule, and
 * `_`-prefixed author keys at several levels.
 */
export function fullLens(): Record<string, any> {
  return {
    schemaVersion: '2021-11-01',
    _version: '1.2',
    name: 'Company Policy ABC',
    description: 'Questions on company policy ABC.',
    pillars: [
      {
        id: 'operationalExcellence',
        name: 'Operational excellence',
        questions: [
          {
            id: 'abc_deploys',
            title: 'How do you deploy?',
            description: 'Small and safe changes.',
            helpfulResource: { displayText: 'Read the deployment policy.', url: 'https://policy.example/deploys' },
            choices: [
              {
                id: 'abc_deploys_small',
                title: 'Small changes',
                description: 'Each change is small.',
                helpfulResource: { displayText: 'Small changes fail small.', url: 'https://policy.example/small' },
                improvementPlan: { displayText: 'Split large changes.', url: 'https://policy.example/split' },
                additionalResources: [
                  { type: 'HELPFUL_RESOURCE', content: [{ displayText: 'A talk', url: 'https://talks.example/small' }] },
                  { type: 'IMPROVEMENT_PLAN', content: [{ displayText: 'A guide', url: 'https://guides.example/split' }, { displayText: 'Another' }] },
                ],
                _reviewer: 'ops-guild',
              },
              { id: 'abc_deploys_rollback', title: 'Rollback', improvementPlan: { displayText: 'Practise rollbacks.' } },
              { id: 'abc_deploys_no', title: 'None of these' },
            ],
            riskRules: [
              { condition: 'abc_deploys_small && abc_deploys_rollback', risk: 'NO_RISK' },
              { condition: 'abc_deploys_small || abc_deploys_rollback', risk: 'MEDIUM_RISK' },
              { condition: 'default', risk: 'HIGH_RISK' },
            ],
          },
        ],
      },
      {
        id: 'company_privacy',
        name: 'Privacy',
        _owner: 'dpo',
        questions: [
          {
            id: 'abc_privacy',
            title: 'Is personal data minimised?',
            choices: [
              { id: 'abc_privacy_minimal', title: 'Only needed data is kept', improvementPlan: { displayText: 'Delete what is not needed.' } },
              { id: 'abc_privacy_no', title: 'None of these' },
            ],
            riskRules: [
              { condition: 'abc_privacy_minimal', risk: 'NO_RISK' },
              { condition: 'default', risk: 'HIGH_RISK' },
            ],
          },
        ],
      },
    ],
  };
}

export function indicator(id: string, status: Status, value: number | null = status === 'no_data' || status === 'stale' ? null : 1): IndicatorSnapshot {
  return {
    id, title: id, pillar: 'operational_excellence', unit: '', weight: 1, kind: 'threshold',
    value, status, score: value === null ? null : status === 'ok' ? 100 : 0, reason: '', collectors: [], series: 1,
    windowMs: 300_000, dataSince: value === null ? null : 0, windowCoverage: value === null ? null : 1,
  };
}

/** An evaluation snapshot with just these indicators (what the review reads). */
export function snapshotOf(at: number, indicators: IndicatorSnapshot[]): EvaluationSnapshot {
  return { at, indicators, outcomes: [], pillars: {} as EvaluationSnapshot['pillars'], durationMs: 1 };
}
