import type { LensRisk } from '../risk-rules.js';

/**
 * The AWS Well-Architected custom-lens JSON format (schemaVersion "2021-11-01"), as Pillarboard
 * stores and exports it. A validated lens is kept in exactly this shape — known keys in the
 * format's order, then any `_`-prefixed keys of the file (authors' metadata such as `_version`)
 * in their original order — so exporting it is `JSON.stringify`, and import → export → import
 * gives the same lens. See docs/review.md for the limits and where each comes from.
 */

export const SCHEMA_VERSION = '2021-11-01';

/** Keys starting with `_` are the author's, kept verbatim and exported back. */
export type Extras = { [key: `_${string}`]: unknown };

export type LensLink = { displayText: string; url?: string } & Extras;

export const RESOURCE_TYPES = ['HELPFUL_RESOURCE', 'IMPROVEMENT_PLAN'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export type LensAdditionalResources = { type: ResourceType; content: LensLink[] } & Extras;

export type LensChoice = {
  id: string;
  title: string;
  description?: string;
  helpfulResource?: LensLink;
  improvementPlan?: LensLink;
  additionalResources?: LensAdditionalResources[];
} & Extras;

export type LensRiskRule = { condition: string; risk: LensRisk } & Extras;

export type LensQuestion = {
  id: string;
  title: string;
  description?: string;
  helpfulResource?: LensLink;
  choices: LensChoice[];
  riskRules: LensRiskRule[];
} & Extras;

export type LensPillar = { id: string; name: string; questions: LensQuestion[] } & Extras;

export type LensDocument = {
  schemaVersion: typeof SCHEMA_VERSION;
  name: string;
  description?: string;
  pillars: LensPillar[];
} & Extras;

/**
 * The limits enforced on import. `verified`: read in AWS's documentation while writing this;
 * otherwise as we recall the lens format specification (docs/review.md says which is which).
 */
export const LENS_LIMITS = {
  /** Whole file, bytes. */
  fileBytes: 500 * 1024,
  nameLength: 128, // verified: lens format specification
  descriptionLength: 2048, // verified: lens format specification
  pillars: 10, // verified: lens format specification
  pillarIdLength: { min: 3, max: 128 }, // verified: lens format specification
  pillarNameLength: 128, // verified: lens format specification
  questionsPerPillar: 20,
  questionIdLength: { min: 1, max: 128 }, // max verified: API QuestionId
  questionTitleLength: 128,
  questionDescriptionLength: 2048,
  choicesPerQuestion: 15,
  choiceIdLength: { min: 1, max: 64 }, // max verified: API ChoiceId
  choiceTitleLength: 128,
  choiceDescriptionLength: 1024, // verified: API Choice.Description
  displayTextLength: 1024,
  urlLength: 2048, // verified: API HelpfulResourceUrl
  riskRulesPerQuestion: 16,
  conditionLength: 2048,
} as const;

/** Ids in the format: letters, digits and "_" (verified for pillar ids; applied to all ids). */
export const LENS_ID_PATTERN = /^[A-Za-z0-9_]+$/;

/** A choice whose id ends in `_no` is the question's "None of these" choice. */
export const NONE_SUFFIX = '_no';

export const isNoneChoice = (choiceId: string) => choiceId.endsWith(NONE_SUFFIX);

/** Pillarboard's own id for a stored lens (URL path segment, metric label). */
export const LENS_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

/** A lens id from a lens name: "Company Policy ABC" → "company-policy-abc". */
export function lensKeyFromName(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return /^[a-z]/.test(slug) ? slug : `lens-${slug}`.slice(0, 64).replace(/-+$/, '');
}
