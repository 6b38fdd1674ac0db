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
    stepSeconds: { type: 'number', description: 'Bucket width used; finer than asked when the history begins after `from` (points then start at `dataSince`).' },
    dataSince: nullable({ ...time, description: 'Oldest stored point of this series (null: none). Later than `from` while the history is younger than the range: the chart starts there ("collecting since …").' }),
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
    tags: [{ name: 'health' }, { name: 'evaluation' }, { name: 'collection' }, { name: 'workload' }, { name: 'metrics' }, { name: 'events' }, { name: 'review' }],
    paths: {
      '/healthz': { get: op('Liveness', { 200: json(obj({ status: { const: 'ok' } })) }, { tags: ['health'], security: [] }) },
      '/readyz': {
        get: op(
          'Readiness: database open, workload loaded. A refused reload keeps it ready (the last good version runs); `workload.detail` says so',
          {
            200: json(obj({
              status: { const: 'ready' },
              checks: { type: 'object', additionalProperties: str },
              workload: obj({ version: int, appliedAt: time, lastReloadSuccessful: bool, detail: { type: 'string', example: 'the last reload (2026-12-07T14:05:00.000Z) was refused: the workload file has 2 error(s) (see GET /api/workload or pillarboard check); still running version 7 from 2026-12-07T14:02:00.000Z' } }),
            })),
            ...errors(503),
          },
          { tags: ['health'], security: [] },
        ),
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
          'Server-Sent Events: `event: summary` with the Summary at once, after every evaluation and when the workload file\'s reload status changes',
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
      '/api/workload': {
        get: op(
          'The active workload (secrets redacted), its version, and how the latest reloads of the file went: a refused edit with every issue',
          { 200: json(obj({ version: obj({ id: int, hash: str, appliedAt: time, path: str }), reload: ref('WorkloadReload'), workload: { type: 'object' } })), ...errors(401, 503) },
          { tags: ['workload'] },
        ),
      },
      '/api/workload/versions': {
        get: op('Every applied version of the workload file', { 200: json(obj({ versions: arr(obj({ id: int, hash: str, appliedAt: time, path: str, active: bool })) })), ...errors(401) }, { tags: ['workload'] }),
      },
      ...eventPaths(),
      '/api/workload/reload': {
        post: op('Re-read the workload file now (admin)', { 200: json(obj({ applied: bool, unchanged: bool, version: nullable({ type: 'object' }) })), ...errors(401, 403, 422, 429) }, {
          tags: ['workload'],
          security: [{ bearer: [] }],
        }),
      },
      ...reportPaths(),
      ...doraPaths(),
      ...reviewPaths(),
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
        Coverage: {
          ...obj({ measured: int, total: int, measuredWeight: num, totalWeight: num }),
          description:
            'How much a roll-up score speaks for: indicators with weight > 0 that have a score (measured) of all with weight > 0 (total), and their weights. The score is the weighted mean over the measured ones only; the status judges what is measured (docs/scoring.md, "Coverage").',
        },
        Pillar: obj({
          id: { enum: PILLAR_IDS },
          title: str,
          description: { ...str, description: 'What the pillar covers, in one line (from the Well-Architected pillar definitions).' },
          measured: bool,
          status: { enum: [...STATUS, 'not_measured'] },
          score: { ...nullable(num), description: 'Weighted mean over the measured indicators; null when none is measured (then no number is shown at all).' },
          coverage: nullable(ref('Coverage')),
          docs: { ...str, description: 'Where the docs say what a score covers and what would measure this pillar.' },
          counts: nullable(ref('Counts')),
          indicatorCount: int,
          reasons: arr(str),
        }, ['id', 'title', 'description', 'measured', 'status', 'score', 'coverage']),
        Outcome: obj({
          id: str,
          title: str,
          owner: nullable(str),
          status: ref('Status'),
          score: nullable(num),
          attainment: nullable(num),
          coverage: ref('Coverage'),
          reasons: arr(str),
          errorBudget: nullable(
            obj(
              {
                indicator: str,
                budgetRemaining: num,
                windowSeconds: num,
                windowCoverage: nullable({ type: 'number', minimum: 0, maximum: 1, description: "Share of the SLO window the indicator's stored data covers (see Indicator.windowCoverage)." }),
              },
              ['indicator', 'budgetRemaining'],
            ),
          ),
          indicators: arr(
            obj(
              {
                id: str,
                title: str,
                weight: num,
                key: bool,
                status: ref('Status'),
                score: nullable(num),
                cost: nullable(num),
                windowSeconds: nullable({ type: 'number', description: "The indicator's window (see Indicator.windowSeconds)." }),
                windowCoverage: nullable({ type: 'number', minimum: 0, maximum: 1, description: 'Share of that window covered by stored data (see Indicator.windowCoverage).' }),
              },
              ['id', 'weight', 'key', 'status', 'score'],
            ),
          ),
        }, ['id', 'title', 'status', 'score', 'attainment', 'coverage', 'indicators']),
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
          windowSeconds: { type: 'number', description: 'The window the value is computed over (an SLO: its SLO window).' },
          dataSince: nullable({ ...time, description: 'Oldest stored sample of any series the indicator reads; null without data.' }),
          windowCoverage: nullable({
            type: 'number',
            minimum: 0,
            maximum: 1,
            description: 'Share of the window covered by stored data: 0.0006 for a 7-day SLO six minutes after the first sample ("99.2 % over 6 min of 7 d"); 1 once the history is as long as the window.',
          }),
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
          backfill: nullable(ref('Backfill')),
        }),
        Backfill: {
          ...obj({
            state: { enum: ['pending', 'running', 'done', 'failed'] },
            progress: { type: 'number', minimum: 0, maximum: 1, description: 'share of the planned time range stored' },
            from: nullable(time),
            to: nullable(time),
            samplesWritten: int,
            error: nullable(str),
            nextAttemptAt: nullable(time),
            parts: arr(
              obj({
                part: { type: 'string', description: 'the part as tracked, e.g. one query: `<name>@<hash>`' },
                series: arr(str),
                state: { enum: ['pending', 'running', 'done', 'failed'] },
                from: nullable(time),
                to: nullable(time),
                through: { ...nullable(time), description: 'every sample up to this time is stored' },
                samplesWritten: int,
                error: nullable(str),
              }),
            ),
          }),
          description: 'History fetched from the collector\'s source when it (or a part of it) was new (docs/collectors.md#backfill); null for types that cannot backfill.',
        },
        ...eventSchemas(),
        ...reviewSchemas(),
        WorkloadReload: obj({
          lastSuccessful: { type: 'boolean', description: 'The latest load or reload attempt applied a version or found the file unchanged (as `pillarboard_workload_last_reload_successful`)' },
          lastSuccessAt: time,
          lastAttemptAt: time,
          refused: nullable(obj({
            at: time,
            trigger: { enum: ['file', 'signal', 'api'], description: 'What asked for the reload: a file change, SIGHUP, POST /api/workload/reload' },
            errorCount: int,
            issues: arr(obj({ text: { type: 'string', description: '`file:line:column: path: message`', example: 'workload.yaml:5:15: collectors[0].interval: invalid duration "5x"' }, file: str, line: int, column: int, path: str, message: str })),
          })),
        }),
        Summary: obj({
          workload: obj({ id: str, title: str, owner: nullable(str), description: nullable(str), timezone: { type: 'string', description: 'IANA time zone of the workload (default UTC): the dashboard shows its clock and chart times in it', example: 'Europe/Berlin' } }),
          status: { enum: STATUS },
          evaluatedAt: nullable(time),
          stale: bool,
          pillars: arr(ref('Pillar')),
          outcomes: arr(ref('Outcome')),
          indicators: nullable(ref('Counts')),
          collectors: obj({ total: int, up: int, failing: arr(obj({ id: str, type: str, error: nullable(str), consecutiveFailures: int, lastSuccessAt: nullable(time), feeds: { ...arr(str), description: 'Titles of the indicators this collector feeds: what goes stale if it keeps failing.' } }, ['id', 'type', 'error', 'consecutiveFailures', 'lastSuccessAt'])) }),
          workloadFile: {
            description: 'The running workload version and the latest reloads of the file; `refused.issues` holds the first three issues only (all: GET /api/workload)',
            allOf: [obj({ path: str, version: obj({ id: int, appliedAt: time }) }), ref('WorkloadReload')],
          },
        }, ['workload', 'status', 'evaluatedAt', 'stale', 'pillars', 'outcomes', 'collectors', 'workloadFile']),
      },
    },
  };
}

/** Operational events: POST/GET /api/events, GET /api/annotations, the webhooks (docs/events.md). */
function eventPaths(): Record<string, unknown> {
  const kinds = { enum: ['deployment', 'change', 'incident', 'gameday', 'review', 'action_item'] };
  const webhook = (provider: string, header: string, events: string) => ({
    post: op(
      `${provider} webhook: ${events}. Authenticated by ${header}, not a token; 404 when not configured.`,
      {
        200: json(obj({ inserted: int, updated: int, skipped: int, events: arr(obj({ kind: kinds, source: str, id: str })) }), 'Recorded'),
        202: json(obj({ ignored: str }), 'Accepted and ignored: nothing stored, the reason given'),
        ...errors(400, 404, 413, 429),
        401: problem('The signature or token is missing or does not match; nothing stored.'),
        503: problem('No workload loaded yet.'),
      },
      {
        tags: ['events'],
        security: [],
        parameters: [{ name: header, in: 'header', required: true, description: 'The provider\'s signature or secret token.', schema: str }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
      },
    ),
  });
  return {
    '/api/events': {
      get: op('Operational events, newest first by default', { 200: json(obj({ events: arr(ref('StoredEvent')), truncated: bool })), ...errors(400, 401) }, {
        tags: ['events'],
        parameters: [
          q('kind', 'One or more kinds, comma-separated', str),
          q('service', 'Only this service'),
          q('environment', 'Only this environment'),
          q('source', 'Only this source (api, github, gitlab, pagerduty, a collector…)'),
          q('from', 'Started at or after: RFC 3339, Unix seconds, `now-<duration>`'),
          q('to', 'Started at or before, same forms'),
          q('order', 'desc (default) or asc by start', { enum: ['asc', 'desc'] }),
          q('limit', 'At most this many (1–5000, default 500)', int),
        ],
      }),
      post: op(
        'Record one event, or a batch `{ "events": [...] }` of up to 1000 (atomic: one bad item rejects all). Idempotent by (source, id). Needs write scope.',
        {
          200: json(obj({ received: int, inserted: int, updated: int, skipped: int, event: ref('StoredEvent') }, ['received', 'inserted', 'updated', 'skipped'])),
          ...errors(400, 401, 403, 413, 429),
          415: problem('The body is not JSON.'),
        },
        {
          tags: ['events'],
          security: [{ bearer: [] }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { oneOf: [ref('Event'), obj({ events: { ...arr(ref('Event')), minItems: 1, maxItems: 1000 } })] } } },
          },
        },
      ),
    },
    '/api/annotations': {
      get: op(
        'Deployments and incidents (or the kinds asked for) as time-chart annotations, oldest first; incidents still open at `from` are included',
        { 200: json(arr(ref('Annotation'))), ...errors(400, 401) },
        {
          tags: ['events'],
          parameters: [
            q('from', 'Start (default to − 24 h)'),
            q('to', 'End (default now)'),
            q('service', 'Only this service'),
            q('kind', 'Kinds, comma-separated (default deployment,incident)'),
            q('limit', 'At most this many, the newest (1–5000, default 1000)', int),
          ],
        },
      ),
    },
    '/api/webhooks/github': webhook('GitHub', 'X-Hub-Signature-256', 'deployment_status, push, issues, workflow_run'),
    '/api/webhooks/gitlab': webhook('GitLab', 'X-Gitlab-Token', 'Deployment, Push, Issue and Pipeline hooks'),
    '/api/webhooks/pagerduty': webhook('PagerDuty', 'X-PagerDuty-Signature', 'v3 incident events'),
  };
}

function eventSchemas(): Record<string, Schema> {
  const kinds = { enum: ['deployment', 'change', 'incident', 'gameday', 'review', 'action_item'] };
  const when = { anyOf: [time, num], description: 'RFC 3339 with an offset, or Unix seconds; not before 2000 nor more than a day ahead' };
  const links = {
    type: 'object',
    additionalProperties: false,
    properties: {
      commits: arr({ type: 'object', additionalProperties: false, properties: { sha: str, at: when }, required: ['sha'] }),
      deployment: { ...str, description: 'The deployment this incident follows: its id, or "source:id"' },
      incident: { ...str, description: 'The incident this review or action item belongs to' },
      url: str,
    },
  };
  const common = {
    kind: kinds,
    source: { ...str, description: 'Default "api"' },
    id: { ...str, description: 'The external id: with source, what makes a delivery idempotent' },
    service: str,
    environment: str,
    start: when,
    end: when,
    status: str,
    title: str,
    links,
    attributes: { type: 'object', description: 'Free attributes; conventions in docs/events.md' },
  };
  return {
    Event: { type: 'object', additionalProperties: false, properties: common, required: ['kind', 'id', 'start'] },
    StoredEvent: obj({ ...common, start: time, end: time, receivedAt: time, updatedAt: time }, ['kind', 'source', 'id', 'start', 'receivedAt', 'updatedAt']),
    Annotation: obj(
      { time, timeEnd: time, kind: kinds, title: str, service: nullable(str), link: nullable(str), status: nullable(str), environment: nullable(str), source: str, id: str },
      ['time', 'kind', 'title', 'service', 'link', 'source', 'id'],
    ),
  };
}

/** Weekly reports: the archive and on-demand runs (docs/reports.md). */
function reportPaths(): Record<string, unknown> {
  const week = { type: 'string', pattern: '^\\d{4}-W\\d{2}$', examples: ['2026-W47'] };
  const links = obj({ self: str, json: str, md: str, html: str, pdf: str, pdfStored: bool });
  const delivery = obj({ channel: str, ok: bool, attempts: int, lastAttemptAt: nullable(time), lastError: nullable(str) });
  const meta = { week: str, timezone: str, from: time, to: time, generatedAt: time, trigger: { enum: ['schedule', 'catch-up', 'api', 'cli'] }, warnings: arr(str), links };
  return {
    '/api/reports': {
      get: op(
        'The report archive, newest week first, with the schedule and each channel\'s delivery state',
        {
          200: json(obj({
            schedule: obj({ enabled: bool, cron: nullable(str), timezone: nullable(str), nextRunAt: nullable(time), lastWeek: nullable(str), lastRunAt: nullable(time) }),
            reports: arr(obj({ ...meta, deliveries: arr(delivery) })),
          })),
          ...errors(401),
          503: problem('Reports are not wired in this server.'),
        },
        { tags: ['reports'] },
      ),
    },
    '/api/reports/{week}': {
      get: op(
        'One archived week. `{week}` alone (`2026-W47`) answers JSON: metadata, every delivery attempt and the report data (schema version 1). ' +
          'With a suffix it answers that rendering: `.json` (the data), `.md`, `.html` (self-contained) or `.pdf` (rendered on demand if not stored). ' +
          '`current` is the week in progress, built on each request and never archived: `partial: true`, `asOf` (where its figures end) and `archived: false`, ' +
          'with the same suffixes; every rendering is titled "Week 49, 2026 — so far (to Mon 7 Dec 15:00)".',
        {
          200: {
            description: 'The report or its rendering',
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    obj({ ...meta, deliveries: arr(obj({ channel: str, attempt: int, at: time, ok: bool, error: nullable(str) })), data: { type: 'object' } }),
                    obj({
                      week: str, timezone: str, from: time, to: time, partial: { const: true }, asOf: time,
                      title: { type: 'string', examples: ['Web shop — Week 49, 2026 — so far (to Mon 7 Dec 15:00)'] },
                      headline: { type: 'string', examples: ['2 of 3 outcomes met, 1 at risk'] },
                      generatedAt: time, archived: { const: false }, warnings: arr(str), links,
                      data: { type: 'object', description: 'The report (schema version 1) with `partial: true` and `asOf`' },
                    }),
                  ],
                },
              },
              'text/markdown': { schema: str },
              'text/html': { schema: str },
              'application/pdf': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...errors(400, 401, 404),
          503: problem('PDF asked for and Chromium is not installed (the detail says how to install it or which path to set), or reports are not wired.'),
        },
        {
          tags: ['reports'],
          parameters: [
            p('week', 'ISO week, or `current` for the week so far, optionally with `.json`, `.md`, `.html` or `.pdf`', {
              type: 'string',
              pattern: '^(\\d{4}-W\\d{2}|current)(\\.(json|md|html|pdf))?$',
              examples: ['2026-W47', '2026-W47.pdf', 'current', 'current.html'],
            }),
            q('paper', 'PDF paper size (default: the workload\'s `reports.weekly.paper`)', { enum: ['A4', 'Letter'] }),
          ],
        },
      ),
    },
    '/api/reports/run': {
      post: op(
        'Generate (or regenerate) a complete week\'s report now and archive it; with `send`, deliver it through the configured channels as the schedule would (admin). ' +
          '`week: "current"` is refused (400 naming `week`): the week in progress is shown by GET /api/reports/current, never archived or sent.',
        {
          201: json(obj({ week: str, generatedAt: time, trigger: { const: 'api' }, warnings: arr(str), summary: { type: 'object' }, delivery: { enum: ['started', 'no channels', 'not requested'] }, links })),
          ...errors(400, 401, 403, 429),
          503: problem('No workload loaded yet.'),
        },
        {
          tags: ['reports'],
          security: [{ bearer: [] }],
          requestBody: {
            required: false,
            content: { 'application/json': { schema: { type: 'object', properties: { week, send: bool }, additionalProperties: false } } },
          },
        },
      ),
    },
  };
}

/** DORA four keys per service and window (docs/dora.md). */
function doraPaths(): Record<string, unknown> {
  const tier = nullable({ enum: ['elite', 'high', 'medium', 'low'] });
  const key = (unit: string) => obj({ value: nullable(num), unit: { const: unit }, tier, sampleSize: int });
  const scope = obj({
    scope: { enum: ['workload', 'service'] },
    service: nullable(str),
    deployments: int,
    failedDeployments: int,
    keys: obj({
      deployment_frequency: key('deployments/day'),
      lead_time: key('seconds'),
      change_failure_rate: key('ratio'),
      time_to_restore: key('seconds'),
    }),
  });
  return {
    '/api/dora': {
      get: op(
        'DORA four keys (value, unit, performance tier, sample size) for one service, or the workload and every service',
        {
          200: json(obj({
            at: time,
            window: { enum: ['7d', '30d', '90d'] },
            benchmark: obj({ year: int, source: str }),
            incidentLinks: obj({ explicit: int, previous: int, unresolved: int, none: int }),
            scopes: arr(scope),
          })),
          ...errors(400, 401, 404, 503),
        },
        {
          tags: ['dora'],
          parameters: [
            q('service', 'Only this service (default: the workload and every service)'),
            q('window', 'Rolling window (default 30d)', { enum: ['7d', '30d', '90d'] }),
          ],
        },
      ),
    },
  };
}

/** Well-Architected reviews: lenses, answers, risks, milestones, improvement plan (docs/review.md). */
function reviewPaths(): Record<string, unknown> {
  const tags = ['review'];
  const write = [{ bearer: [] }];
  const lensP = p('lens', 'Lens id (`wellarchitected` is built in)');
  const questionP = p('question', 'Question id in the lens');
  const lensQ = q('lens', 'Only this lens (default: the lenses of the workload\'s review)');
  const body = (schema: Schema) => ({ required: true, content: { 'application/json': { schema } } });
  return {
    '/api/review/summary': {
      get: op('Risk counts per pillar (the six, and lenses\' own pillars) and per lens: what a pillar tile shows', { 200: json(ref('ReviewSummary')), ...errors(401, 503) }, { tags }),
    },
    '/api/review': {
      get: op('The whole review: every question with its answer, risk, evidence and drift', {
        200: json(obj({ generatedAt: time, lenses: arr(ref('LensReview')), bindingProblems: arr(obj({ index: int, binding: { type: 'object' }, problem: str })) })),
        ...errors(401, 404, 503),
      }, { tags, parameters: [lensQ] }),
    },
    '/api/review/lenses': {
      get: op('Stored lenses', { 200: json(obj({ lenses: arr(ref('LensInfo')) })), ...errors(401, 503) }, { tags }),
      post: op(
        'Import a lens in the AWS custom-lens JSON format (admin). Re-importing an id keeps the answers of questions that still exist and archives the rest. 422 names every fault by JSON path.',
        { 200: json(ref('LensImport'), 'Re-imported (or unchanged)'), 201: json(ref('LensImport'), 'Created'), ...errors(400, 401, 403, 413, 422, 429), 409: problem('The id belongs to a built-in lens.') },
        { tags, security: write, parameters: [q('id', 'Lens id to store it under (default: a slug of its name)')], requestBody: body(ref('CustomLens')) },
      ),
    },
    '/api/review/lenses/{lens}': {
      get: op('The lens in the AWS custom-lens JSON format, exactly as imported (lossless export)', { 200: json(ref('CustomLens')), ...errors(401, 404) }, {
        tags,
        parameters: [lensP, q('download', 'Present: send as an attachment <lens>.json')],
      }),
      delete: op(
        'Remove an imported lens (admin). Refused (409, `force`) while it has answers or improvement-plan edits, unless `force=true`: then its answers are archived and its plan edits deleted. Milestones keep it.',
        {
          200: json(obj({ removed: str, archived: int, planItemsDeleted: int })),
          ...errors(400, 401, 403, 404, 429),
          409: problem('A built-in lens (cannot be removed), or a lens with answers or plan edits and no `force=true`.'),
        },
        { tags, security: write, parameters: [lensP, q('force', 'true: remove it even with answers (archived) and plan edits (deleted)', { enum: ['true', 'false', '1', '0'] })] },
      ),
    },
    '/api/review/lenses/{lens}/questions/{question}': {
      get: op('One question: choices, answer, risk, evidence, drift', { 200: json(ref('ReviewQuestion')), ...errors(401, 404) }, { tags, parameters: [lensP, questionP] }),
    },
    '/api/review/lenses/{lens}/questions/{question}/answer': {
      put: op(
        'A person\'s answer (write): `{ choices: [...], note? }` or `{ notApplicable: true, reason, note? }`. Where it differs from an evidence-bound choice\'s evidence, it overrides it (shown as drift while the evidence disagrees). An unknown choice is 400 naming it (`choices[i]`).',
        { 200: json(ref('ReviewQuestion')), ...errors(400, 401, 403, 404, 429) },
        {
          tags,
          security: write,
          parameters: [lensP, questionP],
          requestBody: body(obj({
            choices: arr(str),
            notApplicable: bool,
            reason: { enum: ['out_of_scope', 'business_priorities', 'architecture_constraints', 'other'] },
            note: nullable(str),
          }, [])),
        },
      ),
      delete: op('Forget the person\'s answer (write): the question follows its evidence again, or is unanswered', { 200: json(ref('ReviewQuestion')), ...errors(401, 403, 404, 429) }, {
        tags,
        security: write,
        parameters: [lensP, questionP],
      }),
    },
    '/api/review/milestones': {
      get: op('Milestones, oldest first (weekly ones are created automatically)', { 200: json(obj({ milestones: arr(ref('Milestone')) })), ...errors(401, 503) }, { tags }),
      post: op('Take a named milestone now (write)', { 201: json(ref('Milestone'), 'Created'), ...errors(400, 401, 403, 429) }, {
        tags,
        security: write,
        requestBody: body(obj({ name: str })),
      }),
    },
    '/api/review/milestones/compare': {
      get: op('Risks gained, removed and changed per pillar between two milestones (or a milestone and now)', { 200: json(ref('MilestoneComparison')), ...errors(400, 401, 404) }, {
        tags,
        parameters: [q('from', 'Milestone id', int, true), q('to', 'Milestone id, or `current` (default)')],
      }),
    },
    '/api/review/milestones/{id}': {
      get: op('One milestone with its snapshot and risk counts per pillar', { 200: json({ allOf: [ref('Milestone'), obj({ snapshot: { type: 'object' }, pillars: arr({ type: 'object' }) })] }), ...errors(400, 401, 404) }, {
        tags,
        parameters: [p('id', 'Milestone id', int)],
      }),
    },
    '/api/review/plan': {
      get: op(
        'The improvement plan: every high and medium risk with its improvement-plan text, owner, due date, status and linked action items',
        {
          200: {
            description: 'OK',
            content: {
              'application/json': { schema: ref('ImprovementPlan') },
              'text/csv': { schema: str },
              'text/markdown': { schema: str },
            },
          },
          ...errors(400, 401, 404, 503),
        },
        { tags, parameters: [lensQ, q('format', 'json (default), csv or markdown', { enum: ['json', 'csv', 'markdown'] })] },
      ),
    },
    '/api/review/plan/{lens}/{question}': {
      patch: op('Set owner, due date, status, note or linked action items of a plan item (write)', { 200: json(obj({ item: nullable(ref('PlanItem')) })), ...errors(400, 401, 403, 404, 429) }, {
        tags,
        security: write,
        parameters: [lensP, questionP],
        requestBody: body(obj({
          owner: nullable(str),
          due: nullable({ type: 'string', format: 'date' }),
          status: { enum: ['open', 'in_progress', 'done', 'accepted'] },
          note: nullable(str),
          actionItems: arr({ type: 'string', description: 'source:externalId of an action_item event' }),
        }, [])),
      }),
    },
  };
}

function reviewSchemas(): Record<string, Schema> {
  const risk = { enum: ['high', 'medium', 'none', 'unanswered', 'not_applicable'] };
  const pillar = nullable({ enum: PILLAR_IDS });
  const link = obj({ displayText: str, url: str }, []);
  const pillarCounts = obj({ id: str, name: str, pillar, counts: ref('RiskCounts') });
  const milestoneRef = obj({ id: int, name: str, kind: { enum: ['manual', 'weekly'] }, week: nullable(str), createdAt: time });
  const change = obj({ lens: str, question: str, title: str, from: nullable(risk), to: nullable(risk) });
  return {
    RiskCounts: obj({ high: int, medium: int, none: int, unanswered: int, not_applicable: int }),
    ReviewSummary: obj({
      generatedAt: time,
      totals: ref('RiskCounts'),
      drift: int,
      pillars: arr(obj({ id: { enum: PILLAR_IDS }, counts: ref('RiskCounts'), questions: int })),
      customPillars: arr(obj({ lens: str, id: str, name: str, counts: ref('RiskCounts'), questions: int })),
      lenses: arr(obj({ id: str, name: str, counts: ref('RiskCounts'), drift: int, questions: int, pillars: arr(pillarCounts) })),
      lastMilestone: nullable(milestoneRef),
    }),
    LensInfo: obj({
      id: str,
      name: str,
      description: nullable(str),
      builtIn: bool,
      active: bool,
      hash: str,
      importedAt: time,
      updatedAt: time,
      questions: int,
      pillars: arr(obj({ id: str, name: str, pillar, questions: int })),
    }),
    LensImport: obj({ lens: ref('LensInfo'), created: bool, unchanged: bool, archived: int, warnings: arr(obj({ path: str, line: int, column: int, message: str })) }),
    CustomLens: {
      type: 'object',
      description: 'AWS Well-Architected custom-lens JSON (schemaVersion 2021-11-01): pillars[].questions[].choices[] with helpfulResource, improvementPlan, additionalResources and riskRules.',
      required: ['schemaVersion', 'name', 'pillars'],
      properties: { schemaVersion: { const: '2021-11-01' }, name: str, description: str, pillars: arr({ type: 'object' }) },
    },
    ReviewQuestion: obj({
      lens: str,
      id: str,
      title: str,
      description: nullable(str),
      pillarId: str,
      pillarName: str,
      pillar,
      risk,
      answered: bool,
      source: nullable({ enum: ['auto', 'manual', 'mixed'] }),
      selected: arr(str),
      notApplicable: bool,
      reason: nullable({ enum: ['out_of_scope', 'business_priorities', 'architecture_constraints', 'other'] }),
      note: nullable(str),
      answeredBy: nullable(str),
      answeredAt: nullable(time),
      overrides: arr(str),
      drift: arr(obj({ choice: str, evidence: bool, selected: bool })),
      evidence: arr(obj({
        choice: str,
        when: str,
        result: nullable(bool),
        holds: nullable(bool),
        since: nullable(time),
        checkedAt: time,
        indicators: arr(obj({ id: str, status: nullable({ enum: STATUS }), value: nullable(num), score: nullable(num) })),
      })),
      choices: arr(obj({ id: str, title: str, selected: bool, none: bool, bound: bool, helpfulResource: nullable(link), improvementPlan: nullable(link) })),
      updatedAt: nullable(time),
    }),
    LensReview: obj({ id: str, name: str, description: nullable(str), counts: ref('RiskCounts'), drift: int, pillars: arr(pillarCounts), questions: arr(ref('ReviewQuestion')) }),
    Milestone: milestoneRef,
    MilestoneComparison: obj({
      from: milestoneRef,
      to: obj({ id: nullable(int), name: str, createdAt: time }, ['id', 'name', 'createdAt']),
      pillars: arr(obj({ lens: str, pillarId: str, pillarName: str, pillar, from: ref('RiskCounts'), to: ref('RiskCounts'), gained: arr(change), removed: arr(change), changed: arr(change) })),
      totals: obj({ gained: int, removed: int, changed: int }),
    }),
    PlanItem: obj({
      lens: str,
      lensName: str,
      pillar,
      pillarId: str,
      pillarName: str,
      question: str,
      title: str,
      risk: { enum: ['high', 'medium'] },
      drift: bool,
      improvements: arr(obj({ choice: str, title: str, text: str, url: nullable(str), resources: arr(link) })),
      owner: nullable(str),
      due: nullable({ type: 'string', format: 'date' }),
      status: { enum: ['open', 'in_progress', 'done', 'accepted'] },
      note: nullable(str),
      actionItems: arr(obj({ ref: str, title: nullable(str), status: str, closedAt: nullable(time) })),
    }),
    ImprovementPlan: obj({
      generatedAt: time,
      workload: nullable(obj({ id: str, title: str })),
      counts: obj({ high: int, medium: int }),
      items: arr(ref('PlanItem')),
    }),
  };
}

