import { compileRiskRules, type LensRisk } from '../risk-rules.js';
import {
  isNoneChoice, LENS_ID_PATTERN, LENS_LIMITS, RESOURCE_TYPES, SCHEMA_VERSION,
  type Extras, type LensAdditionalResources, type LensChoice, type LensDocument, type LensImprovementPlan, type LensLink, type LensPillar,
  type LensQuestion, type LensRiskRule, type ResourceType,
} from './format.js';

/**
 * Validates a parsed custom-lens document and returns it in canonical form (format.ts), or
 * every fault with its JSON path. Nothing stops at the first fault: a person fixing a lens sees
 * all of them at once.
 *
 * Refused: only what the lens format specification forbids (a limit exceeded, a required key
 * missing, a URL that is not http(s)) and what Pillarboard cannot evaluate (a risk rule that does
 * not compile, a question without a `default` rule). Accepted with a warning: keys the format
 * does not define (kept and exported unchanged), an empty `url` (no link), a choice id longer
 * than the API's 64 characters.
 */

export type JsonPath = ReadonlyArray<string | number>;

export interface LensIssue {
  path: JsonPath;
  message: string;
}

export type LensValidation = { ok: true; lens: LensDocument; warnings: LensIssue[] } | { ok: false; issues: LensIssue[] };

/** `$.pillars[0].questions[2].choices[1].id` */
export function formatJsonPath(path: JsonPath): string {
  let out = '$';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  return out;
}

type Obj = Record<string, unknown>;
const L = LENS_LIMITS;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v).slice(0, 60)}`);

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  id?: boolean;
  url?: boolean;
}

class Checker {
  readonly issues: LensIssue[] = [];
  readonly warnings: LensIssue[] = [];

  add(path: JsonPath, message: string): void {
    this.issues.push({ path, message });
  }

  warn(path: JsonPath, message: string): void {
    this.warnings.push({ path, message });
  }

  object(value: unknown, path: JsonPath, what: string, keys: readonly string[]): Obj | undefined {
    if (!isObj(value)) {
      this.add(path, `expected ${what} (an object), found ${describe(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key) && !key.startsWith('_')) {
        const near = keys.find((k) => k.toLowerCase() === key.toLowerCase());
        this.warn(
          [...path, key],
          `unknown key "${key}" in ${what}: kept and exported unchanged, but Pillarboard does not read it` +
            (near ? ` (did you mean "${near}"?)` : `; the format's keys here are ${keys.join(', ')}`),
        );
      }
    }
    return value;
  }

  string(obj: Obj, key: string, path: JsonPath, rule: StringRule): string | undefined {
    const v = obj[key];
    const at = [...path, key];
    if (v === undefined) {
      if (rule.required) this.add(at, `missing required key "${key}"`);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(at, `expected a string, found ${describe(v)}`);
      return undefined;
    }
    const min = rule.min ?? (rule.required ? 1 : 0);
    if (v.length < min) this.add(at, min === 1 ? 'must not be empty' : `must be at least ${min} characters (has ${v.length})`);
    if (rule.max !== undefined && v.length > rule.max) this.add(at, `is ${v.length} characters; the format allows at most ${rule.max}`);
    if (rule.id && !LENS_ID_PATTERN.test(v)) this.add(at, `"${v}" is not a valid id: letters, digits and "_" only`);
    if (rule.url && v === '') this.warn(at, 'empty url: kept, and no link is shown');
    else if (rule.url && !isHttpUrl(v)) this.add(at, `"${v}" is not an http(s) URL (the format requires http:// or https://)`);
    return v;
  }

  array(obj: Obj, key: string, path: JsonPath, rule: { required?: boolean; min?: number; max?: number; what: string }): unknown[] | undefined {
    const v = obj[key];
    const at = [...path, key];
    if (v === undefined) {
      if (rule.required) this.add(at, `missing required key "${key}" (a list of ${rule.what})`);
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add(at, `expected a list of ${rule.what}, found ${describe(v)}`);
      return undefined;
    }
    if (rule.min !== undefined && v.length < rule.min) this.add(at, `needs at least ${rule.min} ${rule.what}`);
    if (rule.max !== undefined && v.length > rule.max) this.add(at, `has ${v.length} ${rule.what}; the format allows at most ${rule.max}`);
    return v;
  }

  unique(seen: Map<string, JsonPath>, id: string | undefined, path: JsonPath, noun: string): void {
    if (id === undefined) return;
    const first = seen.get(id);
    if (first) this.add(path, `duplicate ${noun} id "${id}" (first at ${formatJsonPath(first)})`);
    else seen.set(id, path);
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The keys of `obj` the format does not define here, in their original order. */
function extras(obj: Obj, known: readonly string[]): Extras {
  const out: Record<string, unknown> = {};
  // defineProperty, not assignment: a key "__proto__" must stay a key, not change the prototype.
  for (const [k, v] of Object.entries(obj)) if (!known.includes(k)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const ROOT_KEYS = ['schemaVersion', 'name', 'description', 'pillars'] as const;
const PILLAR_KEYS = ['id', 'name', 'questions'] as const;
const QUESTION_KEYS = ['id', 'title', 'description', 'helpfulResource', 'choices', 'riskRules'] as const;
const CHOICE_KEYS = ['id', 'title', 'description', 'helpfulResource', 'improvementPlan', 'additionalResources'] as const;
const RULE_KEYS = ['condition', 'risk'] as const;
const ADDITIONAL_KEYS = ['type', 'content'] as const;
const LINK_KEYS = ['displayText', 'url'] as const;

/** Copies only defined values, so an absent optional key stays absent on export. */
function defined<T extends Obj>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function validateLens(input: unknown): LensValidation {
  const c = new Checker();
  const root = c.object(input, [], 'a lens', ROOT_KEYS);
  if (!root) return { ok: false, issues: c.issues };
  const schemaVersion = c.string(root, 'schemaVersion', [], { required: true });
  if (schemaVersion !== undefined && schemaVersion !== SCHEMA_VERSION) {
    c.add(['schemaVersion'], `unsupported schemaVersion "${schemaVersion}"; Pillarboard reads "${SCHEMA_VERSION}"`);
  }
  const name = c.string(root, 'name', [], { required: true, max: L.nameLength });
  const description = c.string(root, 'description', [], { max: L.descriptionLength });
  const pillarIds = new Map<string, JsonPath>();
  const questionIds = new Map<string, JsonPath>();
  const pillars = (c.array(root, 'pillars', [], { required: true, min: 1, max: L.pillars, what: 'pillars' }) ?? []).map((p, i) =>
    pillar(c, p, ['pillars', i], pillarIds, questionIds),
  );
  if (c.issues.length > 0) return { ok: false, issues: c.issues };
  const lens = defined({ schemaVersion: SCHEMA_VERSION, name: name!, description, pillars: pillars as LensPillar[], ...extras(root, ROOT_KEYS) });
  return { ok: true, lens: lens as LensDocument, warnings: c.warnings };
}

function pillar(c: Checker, value: unknown, path: JsonPath, pillarIds: Map<string, JsonPath>, questionIds: Map<string, JsonPath>): LensPillar | undefined {
  const o = c.object(value, path, 'a pillar', PILLAR_KEYS);
  if (!o) return undefined;
  const id = c.string(o, 'id', path, { required: true, id: true, min: L.pillarIdLength.min, max: L.pillarIdLength.max });
  c.unique(pillarIds, id, [...path, 'id'], 'pillar');
  const name = c.string(o, 'name', path, { required: true, max: L.pillarNameLength });
  const questions = (c.array(o, 'questions', path, { required: true, min: 1, max: L.questionsPerPillar, what: 'questions' }) ?? []).map((q, i) =>
    question(c, q, [...path, 'questions', i], questionIds),
  );
  return { id: id!, name: name!, questions: questions as LensQuestion[], ...extras(o, PILLAR_KEYS) };
}

function question(c: Checker, value: unknown, path: JsonPath, questionIds: Map<string, JsonPath>): LensQuestion | undefined {
  const o = c.object(value, path, 'a question', QUESTION_KEYS);
  if (!o) return undefined;
  const id = c.string(o, 'id', path, { required: true, id: true, ...L.questionIdLength });
  c.unique(questionIds, id, [...path, 'id'], 'question');
  const title = c.string(o, 'title', path, { required: true, max: L.questionTitleLength });
  const description = c.string(o, 'description', path, { max: L.questionDescriptionLength });
  const helpfulResource = o.helpfulResource === undefined ? undefined : link(c, o.helpfulResource, [...path, 'helpfulResource'], { urlMax: L.questionUrlLength });
  const choiceIds = new Map<string, JsonPath>();
  const choices = (c.array(o, 'choices', path, { required: true, min: 1, max: L.choicesPerQuestion, what: 'choices' }) ?? []).map((ch, i) =>
    choice(c, ch, [...path, 'choices', i], choiceIds),
  );
  const nones = [...choiceIds.keys()].filter(isNoneChoice);
  if (nones.length > 1) {
    c.add([...path, 'choices'], `more than one "None of these" choice (ids ending in _no): ${nones.join(', ')}; a question has at most one`);
  }
  const rawRules = c.array(o, 'riskRules', path, { required: true, min: 1, max: L.riskRulesPerQuestion, what: 'risk rules' }) ?? [];
  const rules: LensRiskRule[] = [];
  const levels = new Map<unknown, number>();
  rawRules.forEach((r, i) => {
    const rp = [...path, 'riskRules', i];
    const ro = c.object(r, rp, 'a risk rule', RULE_KEYS);
    if (!ro) return;
    if (ro.condition === undefined) c.add([...rp, 'condition'], 'missing required key "condition" (choice ids with &&, ||, !, or "default")');
    if (ro.risk === undefined) c.add([...rp, 'risk'], 'missing required key "risk" (HIGH_RISK, MEDIUM_RISK or NO_RISK)');
    if (typeof ro.condition === 'string' && ro.condition.length > L.conditionLength) {
      c.add([...rp, 'condition'], `is ${ro.condition.length} characters; at most ${L.conditionLength}`);
    }
    const first = levels.get(ro.risk);
    if (first !== undefined && typeof ro.risk === 'string') {
      c.add([...rp, 'risk'], `a second ${ro.risk} rule (first at riskRules[${first}]); the format allows one rule per risk level`);
    } else levels.set(ro.risk, i);
    rules.push({ condition: ro.condition as string, risk: ro.risk as LensRisk, ...extras(ro, RULE_KEYS) });
  });
  const checkable = rules.filter((r) => r.condition !== undefined && r.risk !== undefined);
  if (checkable.length === rules.length && rules.length > 0) {
    for (const issue of compileRiskRules(rules, [...choiceIds.keys()]).issues) {
      c.add(issue.index === null ? [...path, 'riskRules'] : [...path, 'riskRules', issue.index, issue.field ?? 'condition'], issue.message);
    }
  }
  return defined({ id: id!, title: title!, description, helpfulResource, choices: choices as LensChoice[], riskRules: rules, ...extras(o, QUESTION_KEYS) }) as LensQuestion;
}

function choice(c: Checker, value: unknown, path: JsonPath, choiceIds: Map<string, JsonPath>): LensChoice | undefined {
  const o = c.object(value, path, 'a choice', CHOICE_KEYS);
  if (!o) return undefined;
  const id = c.string(o, 'id', path, { required: true, id: true, ...L.choiceIdLength });
  if (id !== undefined && id.length > L.choiceIdApiMax && id.length <= L.choiceIdLength.max) {
    c.warn([...path, 'id'], `is ${id.length} characters: the format allows ${L.choiceIdLength.max}, but the Well-Architected API's ChoiceId only ${L.choiceIdApiMax}, so AWS's API could not answer this choice`);
  }
  if (id === 'default') c.add([...path, 'id'], '"default" is reserved for the default risk rule; choose another choice id');
  c.unique(choiceIds, id, [...path, 'id'], 'choice');
  const title = c.string(o, 'title', path, { required: true, max: L.choiceTitleLength });
  const description = c.string(o, 'description', path, { max: L.choiceDescriptionLength });
  const helpfulResource = o.helpfulResource === undefined ? undefined : link(c, o.helpfulResource, [...path, 'helpfulResource'], { urlMax: L.choiceUrlLength });
  let improvementPlan: LensImprovementPlan | undefined;
  if (o.improvementPlan !== undefined) {
    improvementPlan = link(c, o.improvementPlan, [...path, 'improvementPlan'], { urlMax: L.choiceUrlLength, textRequired: true }) as LensImprovementPlan | undefined;
  }
  else if (id !== undefined && !isNoneChoice(id)) c.add([...path, 'improvementPlan'], 'missing required key "improvementPlan" ({ displayText, url? }); every choice but "None of these" has one');
  let additionalResources: LensAdditionalResources[] | undefined;
  const rawAdditional = c.array(o, 'additionalResources', path, { max: RESOURCE_TYPES.length, what: 'additional resources' });
  if (rawAdditional) {
    const types = new Set<string>();
    additionalResources = rawAdditional.map((a, i) => additional(c, a, [...path, 'additionalResources', i], types)) as LensAdditionalResources[];
  }
  return defined({ id: id!, title: title!, description, helpfulResource, improvementPlan, additionalResources, ...extras(o, CHOICE_KEYS) }) as LensChoice;
}

function additional(c: Checker, value: unknown, path: JsonPath, types: Set<string>): LensAdditionalResources | undefined {
  const o = c.object(value, path, 'an additional resource', ADDITIONAL_KEYS);
  if (!o) return undefined;
  const type = c.string(o, 'type', path, {});
  if (type === undefined && o.type === undefined) c.warn([...path, 'type'], `no type (${RESOURCE_TYPES.join(' or ')}): kept, but its links are not shown`);
  if (type !== undefined) {
    if (!RESOURCE_TYPES.includes(type as ResourceType)) c.add([...path, 'type'], `type must be ${RESOURCE_TYPES.join(' or ')}, found "${type}"`);
    else if (types.has(type)) c.add([...path, 'type'], `a second ${type}; a choice has at most one additional resource of each type`);
    types.add(type);
  }
  const content = c.array(o, 'content', path, { max: L.additionalLinksPerType, what: 'links' })?.map((l, i) => link(c, l, [...path, 'content', i], { urlMax: L.choiceUrlLength }));
  return defined({ type: type as ResourceType | undefined, content: content as LensLink[] | undefined, ...extras(o, ADDITIONAL_KEYS) }) as LensAdditionalResources;
}

/**
 * `{ displayText, url }`. The specification makes `displayText` optional except on an
 * improvement plan, and required whenever a (non-empty) `url` is given.
 */
function link(c: Checker, value: unknown, path: JsonPath, rule: { urlMax: number; textRequired?: boolean }): LensLink | undefined {
  const o = c.object(value, path, 'a resource ({ displayText, url })', LINK_KEYS);
  if (!o) return undefined;
  const url = c.string(o, 'url', path, { url: true, max: rule.urlMax });
  const linked = url !== undefined && url !== '';
  if (o.displayText === undefined && linked && !rule.textRequired) {
    c.add([...path, 'displayText'], 'missing required key "displayText": the format requires it whenever "url" is given');
  }
  const displayText = c.string(o, 'displayText', path, { required: rule.textRequired === true, min: linked || rule.textRequired ? 1 : 0, max: L.displayTextLength });
  return defined({ displayText, url, ...extras(o, LINK_KEYS) }) as LensLink;
}
