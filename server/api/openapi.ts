/**
 * The OpenAPI 3.1 description of the HTTP API, served at `/api/openapi.json`.
 * A test compares its paths with the routes Express actually has, both ways, and validates
 * it against the OpenAPI 3.1 schema — so it cannot silently drift from the code.
 */

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const str: Schema = { type: 'string' };
const num: Schema = { type: 'number' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const time: Schema = { type: 'string', format: 'date-time' };
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
});
const arr = (items: Schema): Schema => ({ type: 'array', items });

const STATUS = ['ok', 'warning', 'critical', 'no_data', 'stale'];
const PILLAR_IDS = ['operational_excellence', 'security', 'reliability', 'performance_efficiency', 'cost_optimization', 'sustainability'];

const q = (name: string, description: string, schema: Schema = str, required = false) => ({ name, in: 'query', description, required, schema });
const p = (name: string, description: string, schema: Schema = str) => ({ name, in: 'path', description, required: true, schema });
const rangeParams = [
  q('from', 'Start: RFC 3339, Unix seconds, `now` or `now-<duration>`.'),
  q('to', 'End, same forms (default now).'),
  q('step', 'Bucket width: a duration (`5m`) or seconds. Default: about 240–300 points.'),
];

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const json = (schema: Schema, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const errors = (...codes: number[]) => {
  const text: Record<number, string> = {
    400: 'A parameter or the body is invalid; `errors` names it.',
    401: 'A token is needed, or the token given is malformed, unknown or revoked.',
    403: 'The token lacks the scope this route needs.',
    404: 'No such resource.',
    413: 'The body is too large.',
    422: 'Understood but refused (e.g. too many series, invalid workload).',
    429: 'Too many write requests.',
    503: 'Not ready: no workload loaded or not evaluated yet.',
  };
  return Object.fromEntries(codes.map((c) => [String(c), problem(text[c]!)]));
};

const readSecurity = [{}, { bearer: [] }, { queryToken: [] }];
const op = (summary: string, responses: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  summary,
  responses,
  ...extra,
});

export function buildOpenApi(version: string): Record<string, unknown> {
  const historyResponse = obj({
    from: time,
    to: time,
    stepSeconds: num,
    source: { enum: ['raw', 'rollup'] },
    metric: str,
    points: arr({ type: 'array', prefixItems: [num, num], minItems: 2, maxItems: 2, description: '[unixSeconds, value]' }),
  });
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
    servers: [{ url: '/' }],
    security: readSecurity,
    tags: [{ name: 'health' }, { name: 'evaluation' }, { name: 'collection' }, { name: 'workload' }, { name: 'metrics' }],
    paths: {
      '/healthz': { get: op('Liveness', { 200: json(obj({ status: { const: 'ok' } })) }, { tags: ['health'], security: [] }) },
      '/readyz': {
        get: op('Readiness: database open, workload loaded', { 200: json(obj({ status: str, checks: { type: 'object' } })), ...errors(503) }, { tags: ['health'], security: [] }),
      },
      '/metrics': {
        get: op(
          'Prometheus metrics (text exposition format 0.0.4)',
          { 200: { description: 'Metrics', content: { 'text/plain': { schema: str } } }, ...errors(401) },
          { tags: ['metrics'], security: [{}, { bearer: [] }] },
        ),
      },
      '/api/openapi.json': { get: op('This document', { 200: json({ type: 'object' }) }, { tags: ['health'] }) },
      '/api/summary': {
        get: op('Everything a wall screen needs in one call', { 200: json(ref('Summary')), ...errors(401, 503) }, { tags: ['evaluation'] }),
      },
      '/api/stream': {
        get: op(
          'Server-Sent Events: `event: summary` with the Summary at once and after every evaluation',
          { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: str } } }, ...errors(401) },
          { tags: ['evaluation'] },
        ),
      },
      '/api/pillars': { get: op('The six pillars', { 200: json(obj({ evaluatedAt: time, pillars: arr(ref('Pillar')) })), ...errors(401, 503) }, { tags: ['evaluation'] }) },
      '/api/pillars/{pillar}': {
        get: op(
          'One pillar with its indicators',
          { 200: json({ allOf: [ref('Pillar'), obj({ evaluatedAt: time, indicators: arr(ref('Indicator')) })] }), ...errors(401, 404, 503) },
          { tags: ['evaluation'], parameters: [p('pillar', 'Pillar id', { enum: PILLAR_IDS })] },
        ),
      },
      '/api/pillars/{pillar}/history': {
        get: op('Pillar health score over time', { 200: json(historyResponse), ...errors(400, 401, 404, 503) }, {
          tags: ['evaluation'],
          parameters: [p('pillar', 'Pillar id', { enum: PILLAR_IDS }), ...rangeParams],
        }),
      },
      '/api/outcomes': { get: op('Business outcomes', { 200: json(obj({ evaluatedAt: time, outcomes: arr(ref('Outcome')) })), ...errors(401, 503) }, { tags: ['evaluation'] }) },
      '/api/outcomes/{id}': {
        get: op('One business outcome with its indicators and what each cost it', { 200: json(ref('Outcome')), ...errors(401, 404, 503) }, {
          tags: ['evaluation'],
          parameters: [p('id', 'Outcome id')],
        }),
      },
      '/api/outcomes/{id}/history': {
        get: op('Outcome score over time', { 200: json(historyResponse), ...errors(400, 401, 404, 503) }, { tags: ['evaluation'], parameters: [p('id', 'Outcome id'), ...rangeParams] }),
      },
      '/api/indicators': {
        get: op('Indicators, optionally filtered', { 200: json(obj({ evaluatedAt: time, indicators: arr(ref('Indicator')) })), ...errors(400, 401, 503) }, {
          tags: ['evaluation'],
          parameters: [q('pillar', 'Only this pillar', { enum: PILLAR_IDS }), q('status', 'Only this status', { enum: STATUS })],
        }),
      },
      '/api/indicators/{id}': {
        get: op(
          'One indicator: value, objective, status, score, SLO budget and burn rates, recent transitions',
          { 200: json({ allOf: [ref('Indicator'), obj({ transitions: arr(ref('Transition')) })] }), ...errors(400, 401, 404, 503) },
          { tags: ['evaluation'], parameters: [p('id', 'Indicator id'), q('limit', 'Transitions to return (default 20, max 1000)', int)] },
        ),
      },
      '/api/indicators/{id}/history': {
        get: op('Indicator score, value or SLO budget remaining over time', { 200: json(historyResponse), ...errors(400, 401, 404, 503) }, {
          tags: ['evaluation'],
          parameters: [p('id', 'Indicator id'), ...rangeParams, q('metric', 'score (default), value or budget_remaining', { enum: ['score', 'value', 'budget_remaining'] })],
        }),
      },
      '/api/collectors': { get: op('Collectors and their last runs', { 200: json(obj({ collectors: arr(ref('Collector')) })), ...errors(401) }, { tags: ['collection'] }) },
      '/api/collectors/{id}': {
        get: op('One collector', { 200: json(ref('Collector')), ...errors(401, 404) }, { tags: ['collection'], parameters: [p('id', 'Collector id')] }),
      },
      '/api/series': {
        get: op('Series matching a selector', { 200: json(obj({ series: arr(obj({ name: str, labels: { type: 'object', additionalProperties: str } })), truncated: bool })), ...errors(400, 401) }, {
          tags: ['collection'],
          parameters: [q('match', 'PromQL-style selector, e.g. node_load1{instance=~"web.*"}', str, true), q('limit', 'At most this many series (1–1000)', int)],
        }),
      },
      '/api/series/query': {
        get: op(
          'Points of the matched series, raw or from hourly rollups',
          {
            200: json(
              obj({
                from: time,
                to: time,
                stepSeconds: num,
                aggregation: str,
                source: { enum: ['raw', 'rollup'] },
                series: arr(obj({ name: str, labels: { type: 'object' }, points: arr({ type: 'array' }) })),
              }),
            ),
            ...errors(400, 401, 422),
          },
          {
            tags: ['collection'],
            parameters: [
              q('match', 'Selector', str, true),
              ...rangeParams,
              q('agg', 'Bucket aggregation', { enum: ['avg', 'min', 'max', 'sum', 'count', 'last'] }),
              q('source', 'auto (default), raw or rollup', { enum: ['auto', 'raw', 'rollup'] }),
              q('limit', 'At most this many series (default 100)', int),
            ],
          },
        ),
      },
      '/api/workload': { get: op('The active workload, secrets redacted', { 200: json(obj({ version: { type: 'object' }, workload: { type: 'object' } })), ...errors(401, 503) }, { tags: ['workload'] }) },
      '/api/workload/versions': {
        get: op('Every applied version of the workload file', { 200: json(obj({ versions: arr(obj({ id: int, hash: str, appliedAt: time, path: str, active: bool })) })), ...errors(401) }, { tags: ['workload'] }),
      },
      '/api/workload/reload': {
        post: op('Re-read the workload file now (admin)', { 200: json(obj({ applied: bool, unchanged: bool, version: nullable({ type: 'object' }) })), ...errors(401, 403, 422, 429) }, {
          tags: ['workload'],
          security: [{ bearer: [] }],
        }),
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token from `pillarboard token create`.' },
        queryToken: { type: 'apiKey', in: 'query', name: 'token', description: 'A read token in the URL, for kiosk screens (GET only).' },
      },
      schemas: {
        Problem: obj(
          {
            type: str,
            title: str,
            status: int,
            detail: str,
            instance: str,
            errors: arr(obj({ name: str, in: { enum: ['query', 'body', 'path', 'header'] }, message: str })),
          },
          ['type', 'title', 'status'],
        ),
        Status: { enum: STATUS },
        Counts: obj(Object.fromEntries(STATUS.map((s) => [s, int]))),
        Pillar: obj({
          id: { enum: PILLAR_IDS },
          title: str,
          measured: bool,
          status: { enum: [...STATUS, 'not_measured'] },
          score: nullable(num),
          counts: nullable(ref('Counts')),
          indicatorCount: int,
        }, ['id', 'title', 'measured', 'status', 'score']),
        Outcome: obj({
          id: str,
          title: str,
          owner: nullable(str),
          status: ref('Status'),
          score: nullable(num),
          attainment: nullable(num),
          reasons: arr(str),
          errorBudget: nullable(obj({ indicator: str, budgetRemaining: num })),
          indicators: arr(
            obj({ id: str, title: str, weight: num, key: bool, status: ref('Status'), score: nullable(num), cost: nullable(num) }, ['id', 'weight', 'key', 'status', 'score']),
          ),
        }, ['id', 'title', 'status', 'score', 'attainment', 'indicators']),
        Indicator: obj({
          id: str,
          title: str,
          pillar: { enum: PILLAR_IDS },
          unit: str,
          kind: { enum: ['threshold', 'slo'] },
          value: nullable(num),
          status: ref('Status'),
          score: nullable(num),
          reason: str,
          since: nullable(time),
          runbook: nullable(str),
          objective: nullable({ type: 'object' }),
          slo: nullable(
            obj({
              objective: num,
              windowSeconds: num,
              errorBudget: num,
              attainment: nullable(num),
              budgetRemaining: nullable(num),
              burnRates: { type: 'object', additionalProperties: nullable(num) },
              alertState: { enum: ['ok', 'ticket', 'page'] },
            }, ['objective', 'attainment', 'budgetRemaining', 'burnRates', 'alertState']),
          ),
          collectors: arr(str),
          outcomes: arr(str),
        }, ['id', 'title', 'pillar', 'unit', 'kind', 'value', 'status', 'score', 'reason']),
        Transition: obj({ at: time, from: nullable(ref('Status')), to: ref('Status'), value: nullable(num), score: nullable(num), reason: str }),
        Collector: obj({
          id: str,
          type: str,
          intervalSeconds: num,
          timeoutSeconds: num,
          up: nullable(bool),
          running: bool,
          consecutiveFailures: int,
          lastRun: nullable({ type: 'object' }),
          lastSuccess: nullable({ type: 'object' }),
          lastError: nullable(str),
          nextRunAt: nullable(time),
        }),
        Summary: obj({
          workload: obj({ id: str, title: str, owner: nullable(str), description: nullable(str) }),
          status: { enum: STATUS },
          evaluatedAt: nullable(time),
          stale: bool,
          pillars: arr(ref('Pillar')),
          outcomes: arr(ref('Outcome')),
          indicators: nullable(ref('Counts')),
          collectors: obj({ total: int, up: int, failing: arr(obj({ id: str, type: str, error: nullable(str), consecutiveFailures: int, lastSuccessAt: nullable(time) })) }),
        }, ['workload', 'status', 'evaluatedAt', 'stale', 'pillars', 'outcomes', 'collectors']),
      },
    },
  };
}
