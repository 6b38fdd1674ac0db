import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../../collectors/types.js';
import { storageFaultCode } from '../store/health.js';
import { OffThreadUnavailable } from '../workers/pool.js';

/**
 * RFC 9457 problem details. Every error the API returns is one of these, with
 * `application/problem+json`; `errors` names each field or parameter at fault.
 */
export interface ProblemField {
  /** Where the fault is: a query parameter (`step`), a body field (`events[3].kind`), a path segment. */
  name: string;
  in: 'query' | 'body' | 'path' | 'header';
  message: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: ProblemField[],
  ) {
    super(detail ?? title);
  }
}

export const badParam = (name: string, message: string, inWhere: ProblemField['in'] = 'query') =>
  new Problem(400, 'invalid-parameter', 'Invalid request parameter', `${name}: ${message}`, [
    { name, in: inWhere, message },
  ]);

export const notFound = (what: string, detail?: string) =>
  new Problem(404, 'not-found', `${what} not found`, detail ?? `${what} not found`);

export function sendProblem(res: Response, p: Problem, instance?: string): void {
  res
    .status(p.status)
    .type('application/problem+json')
    .json({
      type: `/problems/${p.slug}`,
      title: p.title,
      status: p.status,
      ...(p.detail ? { detail: p.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(p.errors?.length ? { errors: p.errors } : {}),
    });
}

/** Seconds a client is told to wait after a storage fault (disk full, I/O error, lock held too long). */
export const STORAGE_RETRY_AFTER_S = 30;

/**
 * The last middleware: turns anything thrown into problem+json, never a stack trace. A storage
 * fault (SQLITE_FULL…) is the server's condition, not a bug: 503 with Retry-After, and `storage`
 * is told so /readyz reports it until a write succeeds again.
 */
export function problemHandler(log: Logger, storage?: { note(err: unknown): void }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    const instance = req.originalUrl.split('?')[0];
    if (err instanceof Problem) return sendProblem(res, err, instance);
    if (err instanceof OffThreadUnavailable) {
      // The read workers are full, a read ran too long, or a worker died: the server's state, not the request's fault.
      log.warn('read not served', { path: instance, reason: err.name, error: err.message });
      res.setHeader('Retry-After', String(err.retryAfterS));
      return sendProblem(res, new Problem(503, err.slug, err.title, err.message), instance);
    }
    const fault = storageFaultCode(err);
    if (fault) {
      storage?.note(err);
      log.error('storage fault in request', { path: instance, code: fault, error: (err as Error).message });
      res.setHeader('Retry-After', String(STORAGE_RETRY_AFTER_S));
      const detail =
        fault === 'SQLITE_FULL'
          ? 'the disk holding the database is full; nothing was stored; retry once space is freed'
          : `the database cannot be written now (${fault}); nothing was stored; retry later`;
      return sendProblem(res, new Problem(503, 'storage-unavailable', 'Storage unavailable', detail), instance);
    }
    // body-parser's errors carry a status and a type.
    const e = err as { status?: number; type?: string; message?: string; limit?: number };
    if (e.type === 'entity.too.large') {
      return sendProblem(res, new Problem(413, 'payload-too-large', 'Request body too large', `the body exceeds ${e.limit} bytes`), instance);
    }
    if (e.type === 'entity.parse.failed') {
      return sendProblem(
        res,
        new Problem(400, 'malformed-body', 'Malformed JSON body', e.message, [{ name: 'body', in: 'body', message: e.message ?? 'invalid JSON' }]),
        instance,
      );
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendProblem(res, new Problem(e.status, 'bad-request', 'Bad request', e.message), instance);
    }
    log.error('unhandled error in request', { path: instance, error: e.message, stack: (err as Error)?.stack });
    sendProblem(res, new Problem(500, 'internal', 'Internal server error', 'the server failed to answer; see its log'), instance);
  };
}
