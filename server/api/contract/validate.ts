import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import { Problem, type ProblemField } from '../problem.js';
import type { RouteSpec, Scope } from './route.js';

/**
 * Checks each request's path and query parameters against the schemas its route declares
 * (contract/*.ts) — the schemas the OpenAPI document shows — before the route's handler runs.
 * A parameter at fault is a 400 problem naming it (every one at fault, in `errors`). Unknown
 * query parameters are let through (`token` authenticates, and clients add their own).
 *
 * `guard` gives the route's scope check, run first so a caller without the scope is told that
 * (401/403), not how its parameters are wrong.
 */
export function requestChecks(routes: readonly RouteSpec[], guard: (scope: Scope) => RequestHandler | undefined): Router {
  const r = Router();
  for (const spec of routes) {
    if (!spec.params && !spec.query) continue;
    const handlers: RequestHandler[] = [];
    const g = guard(spec.scope);
    if (g) handlers.push(g);
    handlers.push(checkParameters(spec));
    r[spec.method](spec.path.replace(/\{(\w+)\}/g, ':$1'), ...handlers);
  }
  return r;
}

function checkParameters(spec: RouteSpec): RequestHandler {
  return (req, _res, next) => {
    const fields: ProblemField[] = [
      ...issuesOf(spec.params, req.params, 'path'),
      ...issuesOf(spec.query, req.query, 'query'),
    ];
    if (fields.length === 0) return next();
    const [first] = fields;
    throw new Problem(400, 'invalid-parameter', 'Invalid request parameter', `${first!.name}: ${first!.message}`, fields);
  };
}

function issuesOf(schema: z.ZodObject | undefined, value: unknown, where: 'path' | 'query'): ProblemField[] {
  if (!schema) return [];
  const result = schema.safeParse(value ?? {});
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(parameters)');
    const field = schema.shape[name] as z.ZodType | undefined;
    return { name, in: where, message: messageOf(issue, (value as Record<string, unknown> | undefined)?.[name], field?.description) };
  });
}

/** zod's issue, said of a URL parameter. */
function messageOf(issue: z.core.$ZodIssue, value: unknown, description: string | undefined): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return description ? `is required: ${description}` : 'is required';
      return Array.isArray(value) ? 'give it once' : `expected ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}
