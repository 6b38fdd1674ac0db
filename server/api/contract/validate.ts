import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { formatPath } from '../../validation/path.js';
import { Problem, type ProblemField } from '../problem.js';
import type { RouteSpec, Scope } from './route.js';

/**
 * Checks each request's path and query parameters and its JSON body against the schemas its
 * route declares (contract/*.ts) — the schemas the OpenAPI document shows — before the route's
 * handler runs. A parameter or field at fault is a 400 problem naming it (every one at fault, in
 * `errors`; body fields as `choices[2]`). Unknown query parameters are let through (`token`
 * authenticates, and clients add their own). A body the route parses itself
 * (`parsedBy: 'route'`) is left to it; the handler may check more than types (a known choice,
 * a week that has ended).
 *
 * One middleware, not a route per declaration: Express's route list stays the handlers' own
 * (a test compares it with the document), and a request is checked against one declaration —
 * the literal path before a template (`/api/review/milestones/compare`, not `…/{id}`). Paths
 * match as Express matches them: case-insensitive, a trailing slash ignored.
 *
 * `guard` gives the route's scope check, run first so a caller without the scope is told that
 * (401/403), not how its parameters are wrong.
 */
export function requestChecks(routes: readonly RouteSpec[], guard: (scope: Scope) => RequestHandler | undefined): RequestHandler {
  const checked = routes
    .filter((spec) => spec.params || spec.query || checkedBody(spec))
    .map((spec) => ({ spec, match: pathMatcher(spec.path), holes: (spec.path.match(/\{/g) ?? []).length, guard: guard(spec.scope), check: checkParameters(spec) }))
    .sort((a, b) => a.holes - b.holes);
  return (req, res, next) => {
    const method = req.method === 'HEAD' ? 'get' : req.method.toLowerCase();
    for (const c of checked) {
      if (c.spec.method !== method) continue;
      const params = c.match(req.path);
      if (!params) continue;
      const check = () => {
        c.check(params, req.query, req.body);
        next();
      };
      if (!c.guard) return check();
      return c.guard(req, res, (err?: unknown) => (err ? next(err) : check()));
    }
    next();
  };
}

/** `/api/reports/{week}` → a function giving `{ week }` for a path it matches, undefined otherwise. */
function pathMatcher(template: string): (path: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const re = new RegExp(`^${source}/?$`, 'i');
  return (path) => {
    const m = re.exec(path);
    if (!m) return undefined;
    try {
      return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    } catch {
      return undefined; // malformed %-encoding: Express answers it
    }
  };
}

/** Throws the 400 problem naming every parameter and body field at fault; returns when none is. */
function checkParameters(spec: RouteSpec): (params: Record<string, string>, query: unknown, body: unknown) => void {
  return (params, query, body) => {
    const fields: ProblemField[] = [...issuesOf(spec.params, params, 'path'), ...issuesOf(spec.query, query, 'query'), ...bodyIssues(spec, body)];
    if (fields.length === 0) return;
    const first = fields[0]!;
    const detail = `${first.name}: ${first.message}${fields.length > 1 ? ` (and ${fields.length - 1} more)` : ''}`;
    if (fields.every((f) => f.in === 'body')) throw new Problem(400, 'invalid-body', 'Invalid body', `${detail}; nothing was changed`, fields);
    throw new Problem(400, 'invalid-parameter', 'Invalid request parameter', detail, fields);
  };
}

/** The JSON body schema the check applies, if any. */
function checkedBody(spec: RouteSpec): z.ZodType | undefined {
  return spec.body && spec.body.parsedBy !== 'route' ? spec.body.content['application/json'] : undefined;
}

function bodyIssues(spec: RouteSpec, body: unknown): ProblemField[] {
  const schema = checkedBody(spec);
  if (!schema || (body === undefined && !spec.body!.required)) return [];
  if (body === undefined) return [{ name: 'body', in: 'body', message: 'expected a JSON body (Content-Type: application/json)' }];
  const result = schema.safeParse(body);
  if (result.success) return [];
  return result.error.issues.flatMap((issue): ProblemField[] => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ name: fieldName([...issue.path, k]), in: 'body', message: 'unknown key' }));
    const value = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), body);
    return [{ name: fieldName(issue.path), in: 'body', message: messageOf(issue, value, undefined, 'body') }];
  });
}

/** `['choices', 2]` → `choices[2]` (as the workload file's issues are written); the body itself is `body`. */
function fieldName(path: readonly PropertyKey[]): string {
  return formatPath(path.map((seg) => (typeof seg === 'symbol' ? String(seg) : seg))) || 'body';
}

function issuesOf(schema: z.ZodObject | undefined, value: unknown, where: 'path' | 'query'): ProblemField[] {
  if (!schema) return [];
  const result = schema.safeParse(value ?? {});
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(parameters)');
    const field = schema.shape[name] as z.ZodType | undefined;
    return { name, in: where, message: messageOf(issue, (value as Record<string, unknown> | undefined)?.[name], field?.description, where) };
  });
}

/** zod's issue, said of a URL parameter or a body field. */
function messageOf(issue: z.core.$ZodIssue, value: unknown, description: string | undefined, where: ProblemField['in']): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return description ? `is required: ${description}` : 'is required';
      // Express's query parser makes an array of a parameter given twice.
      return Array.isArray(value) && issue.expected === 'string' && where === 'query' ? 'give it once' : `expected ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}
