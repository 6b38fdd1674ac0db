import { z } from 'zod';

/**
 * One declaration per HTTP operation: method, path, summary, who may call it, and the zod
 * schemas of its parameters, body and every answer. server/api/openapi.ts builds the OpenAPI
 * document from these declarations and nothing else; requests are checked against `params`
 * and `query` before a handler runs (contract/validate.ts); and the API tests check every
 * answer they receive against the document (test/support/api-contract.ts).
 */

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call it. `public`: anyone (health); `read`: the read guard of every /api route
 * (public or a read token, as configured); `metrics`: /metrics's own guard; `write` and
 * `admin`: a bearer token with that scope; `webhook`: the provider's signature or secret.
 */
export type Scope = 'public' | 'read' | 'metrics' | 'write' | 'admin' | 'webhook';

/** Media type → schema of the body in that type (a string schema for text and binary bodies). */
export type Content = Record<string, z.ZodType>;

export interface ResponseSpec {
  description: string;
  /** Absent: the answer has no body. */
  content?: Content;
  /**
   * A `text/event-stream` answer: each event's name → the JSON its `data:` line carries. The
   * document lists them under the media type's `x-events` (OpenAPI has no words for SSE).
   */
  events?: Record<string, z.ZodType>;
}

/** An object schema whose every value is a string (or absent): what Express gives for params and a simple query. */
export type StringFields = z.ZodObject<Record<string, z.ZodType<string | undefined>>>;

export interface RouteSpec {
  method: Method;
  /** OpenAPI form: `/api/pillars/{pillar}`. */
  path: string;
  summary: string;
  tag: string;
  scope: Scope;
  params?: StringFields;
  query?: StringFields;
  /** Request headers the operation needs (a webhook's signature). */
  headers?: StringFields;
  /**
   * The request body. Its JSON schema is checked before the handler (contract/validate.ts)
   * unless `parsedBy: 'route'`: the route parses it itself with a parser that names faults its
   * own way (an event batch by index, a lens by JSON path with 422), built on the same schema.
   */
  body?: { required: boolean; content: Content; parsedBy?: 'route' };
  responses: Record<number, ResponseSpec>;
}

/**
 * What a handler sends, typed by the schema that documents it: `res.json(answer(Schema, {...}))`
 * makes a field the schema lacks, misses or types otherwise a compile error at the route.
 */
export const answer = <S extends z.ZodType>(_schema: S, body: z.output<S>): z.output<S> => body;

/** Identity, for inference and one place to read the shape. */
export const route = (spec: RouteSpec): RouteSpec => spec;

/** A time as the API writes it: RFC 3339 (`Date.toISOString()`, or with an offset). */
export const isoTime = () => z.iso.datetime({ offset: true });
export const int = () => z.number().int();
export const text = () => z.string();

/** RFC 9457 problem details, as server/api/problem.ts sends them. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ name: z.string(), in: z.enum(['query', 'body', 'path', 'header']), message: z.string() }))
      .optional()
      .describe('Each parameter or field at fault, by name'),
  })
  .meta({ id: 'Problem' });

export const PROBLEM_TYPE = 'application/problem+json';

export const json = (schema: z.ZodType, description = 'OK'): ResponseSpec => ({ description, content: { 'application/json': schema } });
export const problem = (description: string): ResponseSpec => ({ description, content: { [PROBLEM_TYPE]: ProblemSchema } });

const PROBLEM_TEXT: Record<number, string> = {
  400: 'A parameter or the body is invalid; `errors` names it.',
  401: 'A token is needed, or the token given is malformed, unknown or revoked.',
  403: 'The token lacks the scope this route needs.',
  404: 'No such resource.',
  409: 'Conflict with the stored state.',
  413: 'The body is too large.',
  415: 'The body is not JSON.',
  422: 'Understood but refused (e.g. too many series, invalid workload).',
  429: 'Too many write requests.',
  503: 'Not ready: no workload loaded or not evaluated yet.',
};

/** The usual problem answers, by status. */
export function problems(...codes: number[]): Record<number, ResponseSpec> {
  return Object.fromEntries(codes.map((c) => [c, problem(PROBLEM_TEXT[c] ?? 'Refused.')]));
}

/** A query or path parameter: a string, documented. */
export const param = (description: string, schema: z.ZodType<string> = z.string()) => schema.describe(description);

/** An optional whole-number parameter (`limit`); the route checks its range. */
export const digits = (description: string) => param(description, z.string().regex(/^\d+$/, { message: 'must be a whole number' })).optional();

/** `from`, `to`, `step` as the range routes take them (server/api/timeRange.ts parses them). */
export const rangeQuery = {
  from: param('Start: RFC 3339, Unix seconds, `now` or `now-<duration>`.').optional(),
  to: param('End, same forms (default now).').optional(),
  step: param('Bucket width: a duration (`5m`) or seconds. Default: about 240–300 points.').optional(),
};
