import { z } from 'zod';
import { API_ROUTES, type RouteSpec } from './contract/index.js';
import { problem, type Content, type ResponseSpec, type StringFields } from './contract/route.js';

/**
 * The OpenAPI 3.1 description of the HTTP API, served at `/api/openapi.json`, generated from the
 * route declarations in contract/ — the zod schemas that check requests and describe answers.
 * Nothing here describes a route by hand. zod writes JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1; schemas given an `id` (`.meta({ id: 'Pillar' })`) become components.
 *
 * Answers every route can give are added from its declaration rather than repeated in it:
 * 401/403/429 from its scope, 400/413 for a body (any method but GET), 400 for query
 * parameters, 503 for a storage fault, 304 for a GET revalidated by its ETag.
 */

type Json = Record<string, unknown>;

const READ_SECURITY = [{}, { bearer: [] }, { queryToken: [] }];
const SECURITY: Record<RouteSpec['scope'], Json[] | undefined> = {
  public: [],
  read: undefined, // the document's default
  metrics: [{}, { bearer: [] }],
  write: [{ bearer: [] }],
  admin: [{ bearer: [] }],
  webhook: [],
};

const IMPLIED: Record<number, string> = {
  400: 'A parameter or the body is invalid; `errors` names it.',
  401: 'A token is needed, or the token given is malformed, unknown or revoked.',
  403: 'The token lacks the scope this route needs.',
  413: 'The body is too large.',
  429: 'Too many write requests.',
  503: 'Cannot answer now: storage unavailable (disk full, I/O error; nothing was stored) or another passing condition its `type` names; `Retry-After` says when to retry.',
};

/** Every answer a route can give: its own, and those implied by its scope, body and parameters. */
export function responsesOf(spec: RouteSpec): Record<number, ResponseSpec> {
  const implied: number[] = [503];
  if (spec.scope === 'read' || spec.scope === 'metrics') implied.push(401);
  if (spec.scope === 'write' || spec.scope === 'admin') implied.push(401, 403, 429);
  // The JSON parser reads a body sent with any method but GET, declared or not.
  if (spec.body || spec.method !== 'get') implied.push(400, 413);
  // A query parameter outside its schema (or given twice) is refused by contract/validate.ts.
  if (spec.query) implied.push(400);
  const out: Record<number, ResponseSpec> = { ...spec.responses };
  for (const status of implied) out[status] ??= problem(IMPLIED[status]!);
  // Express tags every GET answer with an ETag and answers a matching If-None-Match with 304.
  const streams = Object.values(spec.responses).some((r) => r.content && 'text/event-stream' in r.content);
  if (spec.method === 'get' && !streams) out[304] ??= { description: 'Not modified: the `If-None-Match` ETag still matches; no body.' };
  return out;
}

/** zod's JSON Schema, tidied for reading: no 400-character date-time regex, no ±2^53 bounds on every integer. */
function tidy(ctx: { jsonSchema: Json }): void {
  const s = ctx.jsonSchema;
  if (s.format === 'date-time' || s.format === 'date') delete s.pattern;
  if (s.type === 'integer') {
    if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
    if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
  }
}

/**
 * Converts every schema in one call per direction, so a schema with an id is written once, as
 * a component, and referred to everywhere else. Requests are described as zod accepts them
 * (`io: 'input'`: defaults make a field optional), answers as the server sends them.
 */
class Converter {
  private readonly pending: Array<{ io: 'input' | 'output'; schema: z.ZodType; set: (s: Json) => void }> = [];

  add(io: 'input' | 'output', schema: z.ZodType, set: (s: Json) => void): void {
    this.pending.push({ io, schema, set });
  }

  run(): Record<string, Json> {
    const components: Record<string, Json> = {};
    for (const io of ['output', 'input'] as const) {
      const items = this.pending.filter((p) => p.io === io);
      const bundle = z.object(Object.fromEntries(items.map((p, i) => [`s${i}`, p.schema])));
      const text = JSON.stringify(z.toJSONSchema(bundle, { target: 'draft-2020-12', io, unrepresentable: 'any', override: tidy }));
      const out = JSON.parse(text.replaceAll('"#/$defs/', '"#/components/schemas/')) as { properties: Record<string, Json>; $defs?: Record<string, Json> };
      items.forEach((p, i) => p.set(out.properties[`s${i}`]!));
      for (const [id, schema] of Object.entries(out.$defs ?? {})) components[id] ??= schema;
    }
    return Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b)));
  }
}

function parameters(conv: Converter, where: 'path' | 'query' | 'header', fields: StringFields | undefined): Json[] {
  if (!fields) return [];
  return Object.entries(fields.shape).map(([name, schema]) => {
    const p: Json = { name, in: where, required: where === 'path' || !schema.safeParse(undefined).success };
    conv.add('input', schema, (s) => {
      const { description, ...rest } = s;
      if (description !== undefined) p.description = description;
      p.schema = rest;
    });
    return p;
  });
}

function content(conv: Converter, io: 'input' | 'output', c: Content): Json {
  const out: Json = {};
  for (const [type, schema] of Object.entries(c)) {
    const media: Json = {};
    conv.add(io, schema, (s) => (media.schema = s));
    out[type] = media;
  }
  return out;
}

function operation(conv: Converter, spec: RouteSpec): Json {
  const op: Json = { summary: spec.summary, tags: [spec.tag] };
  const security = SECURITY[spec.scope];
  if (security) op.security = security;
  const params = [...parameters(conv, 'path', spec.params), ...parameters(conv, 'query', spec.query), ...parameters(conv, 'header', spec.headers)];
  if (params.length) op.parameters = params;
  if (spec.body) op.requestBody = { required: spec.body.required, content: content(conv, 'input', spec.body.content) };
  const responses: Json = {};
  for (const [status, r] of Object.entries(responsesOf(spec)).sort(([a], [b]) => Number(a) - Number(b))) {
    const out: Json = { description: r.description };
    if (r.content) out.content = content(conv, 'output', r.content);
    const stream = (out.content as Json | undefined)?.['text/event-stream'] as Json | undefined;
    if (r.events && stream) {
      const events: Json = {};
      for (const [name, schema] of Object.entries(r.events)) conv.add('output', schema, (s) => (events[name] = s));
      stream['x-events'] = events;
    }
    responses[status] = out;
  }
  op.responses = responses;
  return op;
}

function describeRoutes(routes: readonly RouteSpec[]): { paths: Record<string, Json>; schemas: Record<string, Json> } {
  const conv = new Converter();
  const paths: Record<string, Json> = {};
  for (const spec of routes) {
    const ops = (paths[spec.path] ??= {});
    if (ops[spec.method]) throw new Error(`${spec.method.toUpperCase()} ${spec.path} is declared twice`);
    ops[spec.method] = operation(conv, spec);
  }
  return { paths, schemas: conv.run() };
}

/** The API's own routes never change in a process: described once (~0.1 s of zod conversion), shared by every app. */
let described: ReturnType<typeof describeRoutes> | undefined;

export function buildOpenApi(version: string, routes: readonly RouteSpec[] = API_ROUTES): Json {
  // A copy each time: a caller may change its document (a validator dereferencing in place).
  const { paths, schemas } = structuredClone(routes === API_ROUTES ? (described ??= describeRoutes(API_ROUTES)) : describeRoutes(routes));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pillarboard API',
      version,
      description:
        'Operational metrics → indicators → business outcomes and Well-Architected pillar health. ' +
        'Errors are RFC 9457 problem+json. Reads are public or need a read token, as configured.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: '/' }],
    security: READ_SECURITY,
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token from `pillarboard token create`.' },
        queryToken: { type: 'apiKey', in: 'query', name: 'token', description: 'A read token in the URL, for kiosk screens (GET only).' },
      },
      schemas,
    },
  };
}
