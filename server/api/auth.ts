import type { RequestHandler, Request } from 'express';
import { scopeAllows, type Scope, type TokenCheck, type TokenInfo } from '../auth/tokens.js';
import { Problem } from './problem.js';

/** Who may read: anyone (`public`, the default for a LAN wall screen) or token holders only. */
export interface AuthPolicy {
  read: 'public' | 'token';
  metrics: 'public' | 'token';
}

/** What the API needs of the token store (TokenRepository, server/auth/backend.ts): one await per request that carries a token. */
export interface TokenVerifier {
  verify(token: string): Promise<TokenCheck>;
  /** The token's current record (open streams re-check it: a revocation may come from another process). */
  get(id: number): Promise<TokenInfo | undefined>;
}

const unauthorized = (detail: string, from: { name: string; in: 'header' | 'query' } = { name: 'Authorization', in: 'header' }) =>
  new Problem(401, 'unauthorized', 'Unauthorized', detail, [{ name: from.name, in: from.in, message: detail }]);

/**
 * Route guard. Tokens come as `Authorization: Bearer <token>`; for reads, also as
 * `?token=` so a kiosk URL can carry a read token (the query parameter is redacted from
 * traces and never logged). Scopes nest: admin ⊃ write ⊃ read.
 */
export function requireScope(
  needs: Scope | 'metrics',
  deps: { tokens: TokenVerifier; auth: AuthPolicy },
): RequestHandler {
  return async (req, res, next) => {
    const scope: Scope = needs === 'metrics' ? 'read' : needs;
    if (needs === 'metrics' && deps.auth.metrics === 'public') return next();
    if (needs === 'read' && deps.auth.read === 'public') return next();
    const token = extractToken(req, scope === 'read');
    if (!token) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="pillarboard"');
      throw unauthorized(`this route needs a token with scope ${scope}: send Authorization: Bearer <token>`);
    }
    const result = await deps.tokens.verify(token.value);
    if (!result.ok) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="pillarboard", error="invalid_token"');
      const why = { malformed: 'is malformed', unknown: 'is not known', revoked: 'has been revoked' }[result.reason];
      throw unauthorized(`the token ${why}`, token.from);
    }
    if (!scopeAllows(result.info.scope, scope)) {
      res.setHeader('WWW-Authenticate', `Bearer realm="pillarboard", error="insufficient_scope", scope="${scope}"`);
      throw new Problem(403, 'forbidden', 'Forbidden', `token "${result.info.name}" has scope ${result.info.scope}; this route needs ${scope}`);
    }
    res.locals.token = result.info;
    next();
  };
}

function extractToken(req: Request, allowQuery: boolean): { value: string; from: { name: string; in: 'header' | 'query' } } | null {
  const header = req.get('authorization');
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthorized('the Authorization header must be "Bearer <token>"');
    return { value: m[1]!, from: { name: 'Authorization', in: 'header' } };
  }
  if (allowQuery && (req.method === 'GET' || req.method === 'HEAD') && typeof req.query.token === 'string') {
    return { value: req.query.token, from: { name: 'token', in: 'query' } };
  }
  return null;
}
