import type { RequestHandler } from 'express';
import { tooDeep } from '../events/jsonDepth.js';
import { Problem } from './problem.js';

/** No JSON body the API takes nests deeper than this; deeper ones are refused before any route walks them. */
export const MAX_JSON_DEPTH = 32;

/**
 * 400 naming `body` (and where) for a JSON body nested deeper than `max`. JSON.parse copes with
 * any depth, but whatever walks the value afterwards recursively (JSON.stringify when storing,
 * validation) would overflow the stack and answer 500.
 */
export function jsonDepthGuard(max: number): RequestHandler {
  return (req, _res, next) => {
    const body: unknown = req.body;
    if (body === null || typeof body !== 'object') return next();
    const at = tooDeep(body, max);
    if (!at) return next();
    const message = `nests deeper than ${max} levels (at ${at.length > 120 ? `${at.slice(0, 120)}…` : at})`;
    throw new Problem(400, 'malformed-body', 'Malformed JSON body', `body: ${message}; nothing was stored`, [{ name: 'body', in: 'body', message }]);
  };
}
