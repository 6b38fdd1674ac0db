import { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import {
  decodeRequest, encodeResponse, encodeStatus, formatOf, grpcCode, OtlpBodyError, readOtlpBody, TooManyPointsError, type OtlpFormat,
} from '../../otlp/index.js';
import type { AppDeps } from '../deps.js';
import { requireScope } from '../auth.js';
import { Problem } from '../problem.js';

const PATH = '/v1/metrics';

/**
 * Exports read and stored at once, per app. Each may hold its body twice (up to 4 MiB as received
 * and 16 MiB decompressed), so this bounds the receiver's memory at ~160 MB; one more is a 503 with
 * Retry-After, which OTLP exporters retry with backoff. The store writes them one at a time anyway.
 */
export const OTLP_MAX_IN_FLIGHT = 8;

/**
 * `POST /v1/metrics`: OTLP/HTTP metrics in (server/otlp; docs/collectors.md, "OTLP metrics").
 * Mounted before the app's JSON parser, which would otherwise take the JSON bodies.
 *
 * Checks in order, none reading the body before the token is checked: write token (401/403, the
 * tokens of POST /api/events) → Content-Type (`application/x-protobuf` or `application/json`,
 * else 415) → receiver wired (503) → body within its caps, gzip or plain (413/415) → decodes
 * (400) → stored. Success is an ExportMetricsServiceResponse in the request's encoding,
 * with partial_success when points were refused.
 *
 * Errors: a protobuf client gets a protobuf google.rpc.Status, as the OTLP/HTTP spec asks; a JSON
 * client (and any request whose type is unknown) gets RFC 9457 problem+json, like every other
 * route here, which also carries the Status fields `code` and `message`, so an OTLP client that
 * reads the body as a JSON Status finds them.
 */
export function otlpRoutes(deps: AppDeps, options: { maxInFlight?: number } = {}): Router {
  const r = Router();
  const maxInFlight = options.maxInFlight ?? OTLP_MAX_IN_FLIGHT;
  let inFlight = 0;
  r.post(PATH, noteFormat, requireScope('write', deps), negotiated, async (req, res) => {
    const format = res.locals.otlpFormat as OtlpFormat;
    const receiver = deps.otlp;
    if (!receiver) throw new Problem(503, 'not-ready', 'OTLP metrics not available', 'this server does not accept OTLP metrics (no receiver is wired)');
    if (inFlight >= maxInFlight) {
      res.setHeader('Retry-After', '1');
      throw new Problem(503, 'busy', 'Too many exports at once', `${maxInFlight} OTLP exports are being read or stored already; retry later; nothing was stored`);
    }
    inFlight++;
    let result;
    try {
      const body = await readOtlpBody(req);
      result = await receiver.ingest(decodeRequest(body, format));
    } finally {
      inFlight--;
    }
    const refused = result.refused.count > 0 ? { count: result.refused.count, message: result.refused.message() } : undefined;
    if (refused) deps.log.warn('otlp data points refused', { points: result.points, refused: refused.count, reason: refused.message });
    res
      .status(200)
      .type(format === 'json' ? 'application/json' : 'application/x-protobuf')
      .send(encodeResponse(format, refused));
  });
  r.use(PATH, otlpErrors);
  return r;
}

/** The request's encoding, which errors are answered in (the auth check's included). */
const noteFormat: RequestHandler = (req, res, next) => {
  res.locals.otlpFormat = formatOf(req.get('content-type'));
  next();
};

/** 415 for a body type this receiver does not decode. */
const negotiated: RequestHandler = (req, res, next) => {
  if (!res.locals.otlpFormat) {
    throw new Problem(415, 'unsupported-media-type', 'Unsupported media type', `Content-Type ${req.get('content-type') ?? '(none)'} is not accepted; send application/x-protobuf or application/json`, [
      { name: 'Content-Type', in: 'header', message: 'expected application/x-protobuf or application/json' },
    ]);
  }
  next();
};

function asProblem(err: unknown): Problem | undefined {
  if (err instanceof Problem) return err;
  if (err instanceof OtlpBodyError) {
    const title = { 400: 'Malformed OTLP request', 413: 'Request body too large', 415: 'Unsupported content encoding' }[err.status];
    return new Problem(err.status, err.slug, title, err.message, [{ name: err.field.name, in: err.field.in, message: err.message }]);
  }
  if (err instanceof TooManyPointsError) {
    return new Problem(413, 'too-many-points', 'Too many data points', `${err.message}; nothing was stored`, [{ name: 'body', in: 'body', message: err.message }]);
  }
  return undefined;
}

/** OTLP errors in the request's encoding (see otlpRoutes); anything else goes on to the app's handler. */
const otlpErrors: ErrorRequestHandler = (err, req, res, next) => {
  const problem = asProblem(err);
  if (!problem || res.headersSent) return next(err);
  // A body left unread (too large, refused before reading) is not drained: the connection closes after the answer.
  if (!req.complete) res.setHeader('Connection', 'close');
  const message = problem.detail ?? problem.title;
  const format = res.locals.otlpFormat as OtlpFormat | undefined;
  res.status(problem.status);
  if (format === 'protobuf') {
    res.type('application/x-protobuf').send(encodeStatus(grpcCode(problem.status), message));
    return;
  }
  res.type('application/problem+json').send(
    JSON.stringify({
      type: `/problems/${problem.slug}`,
      title: problem.title,
      status: problem.status,
      detail: message,
      instance: PATH,
      ...(problem.errors?.length ? { errors: problem.errors } : {}),
      code: grpcCode(problem.status),
      message,
    }),
  );
};
