import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildOpenApi } from '../../server/api/openapi.js';

/**
 * Checks an answer of the API against the OpenAPI document the server serves
 * (server/api/openapi.ts): the operation exists, the status is one it documents, the content
 * type is one documented for that status, and the body matches that type's schema (JSON
 * Schema 2020-12, with ajv). `test/support/api-request.ts` runs it on every response the API
 * tests receive.
 */

export interface ObservedResponse {
  method: string;
  /** The request path, optionally with a query string. */
  url: string;
  status: number;
  contentType: string | undefined;
  /** The body as text; undefined when it is binary or was not read. */
  text: string | undefined;
}

type Json = Record<string, any>;

export const OPENAPI_DOC = buildOpenApi('test') as Json;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(OPENAPI_DOC, 'openapi.json');

/**
 * Path templates, literal ones first (`/api/review/milestones/compare` before `…/{id}`), matched
 * as Express routes (case-insensitive, a trailing slash ignored).
 */
const templates = Object.keys(OPENAPI_DOC.paths as Json)
  .map((p) => ({ path: p, holes: (p.match(/\{/g) ?? []).length, re: new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i') }))
  .sort((a, b) => a.holes - b.holes);

/** Paths the API owns; anything else (the dashboard's files) is not described by the document. */
const API_PATH = /^\/(api|metrics|healthz|readyz)(\/|$)/i;

const validators = new Map<string, ValidateFunction>();
function validator(pointer: string): ValidateFunction {
  let v = validators.get(pointer);
  if (!v) {
    v = ajv.compile({ $ref: `openapi.json#${pointer}` });
    validators.set(pointer, v);
  }
  return v;
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const isJson = (type: string) => type === 'application/json' || type.endsWith('+json');

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : ''}`)
    .join('; ');
}

/** The operation a request reached: its path template, or undefined when the document has none. */
export function operationOf(method: string, path: string): { path: string; op: Json } | undefined {
  const m = method.toLowerCase();
  for (const t of templates) {
    if (!t.re.test(path)) continue;
    const op = (OPENAPI_DOC.paths[t.path] as Json)[m] as Json | undefined;
    if (op) return { path: t.path, op };
  }
  return undefined;
}

/** Every way the response departs from the document ([] when it conforms). */
export function contractViolations(r: ObservedResponse): string[] {
  const path = r.url.split('?')[0]!.replace(/^https?:\/\/[^/]+/, '');
  if (!API_PATH.test(path)) return [];
  const what = `${r.method.toUpperCase()} ${path} → ${r.status}`;
  const type = (r.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  // HEAD is answered as GET is, without the body.
  const head = r.method.toLowerCase() === 'head';
  const found = operationOf(head ? 'get' : r.method, path);
  let pointer: string;
  let responses: Json;
  if (!found) {
    // No such operation: a problem from the app's 404 handler, or from what runs before routing
    // (the read guard, the rate limit, the JSON body parser), described by the Problem schema.
    if (r.status < 400 || r.status >= 500) return [`${what}: no operation in the document, and not a 4xx problem`];
    responses = { [r.status]: { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } } };
    pointer = '/components/schemas/Problem';
    if (type !== 'application/problem+json') return [`${what}: content type "${type}" for an unknown route; expected application/problem+json`];
    return checkBody(what, pointer, r.text, type);
  }
  responses = found.op.responses as Json;
  const documented = responses[String(r.status)] as Json | undefined;
  if (!documented) return [`${what}: status ${r.status} is not documented for ${r.method.toUpperCase()} ${found.path} (documented: ${Object.keys(responses).join(', ')})`];
  const content = documented.content as Json | undefined;
  if (!content) return r.text && !head ? [`${what}: a body where the document says there is none`] : [];
  if (!(type in content)) return [`${what}: content type "${type}" is not documented (documented: ${Object.keys(content).join(', ')})`];
  pointer = `/paths/${escape(found.path)}/${head ? 'get' : r.method.toLowerCase()}/responses/${r.status}/content/${escape(type)}/schema`;
  return checkBody(what, pointer, head ? undefined : r.text, type);
}

function checkBody(what: string, pointer: string, text: string | undefined, type: string): string[] {
  if (text === undefined) return [];
  let body: unknown = text;
  if (isJson(type)) {
    try {
      body = JSON.parse(text);
    } catch (err) {
      return [`${what}: the body is not JSON (${(err as Error).message})`];
    }
  }
  const v = validator(pointer);
  return v(body) ? [] : [`${what}: the body does not match the document: ${describe(v.errors)}`];
}

/**
 * Checks one Server-Sent Event of `GET path` against the `x-events` the document lists for its
 * stream: the event is known and its data matches its schema.
 */
export function eventViolations(path: string, event: string, data: string): string[] {
  const found = operationOf('get', path);
  const events = found?.op.responses?.['200']?.content?.['text/event-stream']?.['x-events'] as Json | undefined;
  const what = `GET ${path} event "${event}"`;
  if (!found || !events) return [`${what}: the document lists no events for this route`];
  if (!(event in events)) return [`${what}: not an event the document lists (${Object.keys(events).join(', ')})`];
  return checkBody(what, `/paths/${escape(found.path)}/get/responses/200/content/text~1event-stream/x-events/${escape(event)}`, data, 'application/json');
}

export function assertEventConforms(path: string, event: string, data: string): void {
  const problems = eventViolations(path, event, data);
  if (problems.length) throw new Error(`event departs from the OpenAPI document:\n  ${problems.join('\n  ')}`);
}

/** Throws, naming every departure, when the response does not conform to the document. */
export function assertConforms(r: ObservedResponse): void {
  const problems = contractViolations(r);
  if (problems.length) throw new Error(`response departs from the OpenAPI document:\n  ${problems.join('\n  ')}`);
}
