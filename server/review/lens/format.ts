import type { LensRisk } from '../risk-rules.js';

/**
 * The AWS Well-Architected custom-lens JSON format (schemaVersion "2021-11-01"), as Pillarboard
 * stores and exports it. A validated lens is kept in exactly this shape — known keys in the
 * format's order, then every other key of the file (authors' metadata such as `_version`, keys
 * AWS's tool tolerates such as `url` on a question) in their original order — so exporting it is
 * `JSON.stringify`, and import → export → import gives the same lens. See docs/review.md for the
 * limits and where each comes from.
 */

export const SCHEMA_VERSION = '2021-11-01';

/**
 * Keys the format does not define, kept verbatim and exported back. Those starting with `_` are
 * authors' metadata by convention and pass silently; any other is reported as a warning.
 */
export type Extras = { readonly [key: string]: unknown };

/** A helpful resource or additional link: `displayText` is optional unless `url` is given. */
export type LensLink = { displayText?: string; url?: string } & Extras;

/** A choice's improvement plan: its text is required (lens format specification). */
export type LensImprovementPlan = { displayText: string; url?: string } & Extras;

export const RESOURCE_TYPES = ['HELPFUL_RESOURCE', 'IMPROVEMENT_PLAN'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Both keys are optional in the specification; an entry without a `type` is kept but not shown. */
export type LensAdditionalResources = { type?: ResourceType; content?: LensLink[] } & Extras;

export type LensChoice = {
  id: string;
  title: string;
  description?: string;
  helpfulResource?: LensLink;
  improvementPlan?: LensImprovementPlan;
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
 * The limits enforced on import, each from AWS's documentation (docs/review.md cites the source
 * of every one): "spec" is the AWS WA Tool user guide's "Lens format specification", "API" the
 * Well-Architected API reference, used where the specification is silent.
 */
export const LENS_LIMITS = {
  /** Whole file, bytes (API ImportLens: "A custom lens cannot exceed 500 KB in size"). */
  fileBytes: 500 * 1024,
  nameLength: 128, // spec
  descriptionLength: 2048, // spec
  pillars: 10, // spec
  pillarIdLength: { min: 3, max: 128 }, // spec
  pillarNameLength: 128, // spec
  questionsPerPillar: 20, // spec
  questionIdLength: { min: 3, max: 128 }, // spec
  questionTitleLength: 128, // spec
  questionDescriptionLength: 2048, // spec
  choicesPerQuestion: 15, // spec
  /** spec (the API's ChoiceId says 1–64: above 64 is accepted with a warning, see docs/review.md). */
  choiceIdLength: { min: 3, max: 128 },
  choiceIdApiMax: 64, // API ChoiceId
  choiceTitleLength: 128, // spec
  choiceDescriptionLength: 1024, // API Choice.Description (the spec has no choice description)
  displayTextLength: 2048, // spec (every displayText)
  questionUrlLength: 2048, // API HelpfulResourceUrl
  choiceUrlLength: 1024, // API ChoiceContent.Url
  /** spec: "a maximum of three risk rules per question, one for each level of risk". */
  riskRulesPerQuestion: 3,
  /** spec: "Up to five additional helpful resources and up to five additional improvement plan items". */
  additionalLinksPerType: 5,
  conditionLength: 2048, // ours: the spec sets none; 2,048 holds 15 choice ids of 128 with operators
} as const;

/** Ids in the format: letters, digits and "_" (spec, for pillar, question and choice ids). */
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
