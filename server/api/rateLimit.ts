import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { Problem, sendProblem } from './problem.js';

/**
 * Rate limit on writes (POST, PUT, PATCH, DELETE) per client address: a runaway script or a
 * webhook storm cannot starve the collectors' database writes. Reads are not limited —
 * wall screens poll, and reads are cheap.
 */
export function writeRateLimit(opts: { windowMs?: number; limit?: number } = {}): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs ?? 60_000,
    limit: opts.limit ?? 600,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (req) => req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS',
    handler: (req, res) => {
      sendProblem(
        res,
        new Problem(429, 'rate-limited', 'Too many requests', 'too many write requests from this address; retry after the RateLimit-Reset delay'),
        req.originalUrl.split('?')[0],
      );
    },
  });
}
