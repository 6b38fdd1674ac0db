import type { Scope, TokenCheck, TokenInfo } from './tokens.js';

/**
 * API tokens as the auth middleware, the stream and the `token` command see them (issue 14):
 * asynchronous, so the SQLite TokenStore (through SqliteTokenRepository) and PostgreSQL
 * (pgTokens.ts) are interchangeable. Both pass test/tokens-contract.test.ts:
 *
 * - `create` refuses a bad name or scope, or a name a live token has, with TokenError (the
 *   same messages), and answers the token in clear — the only time it is visible.
 * - `verify` refuses a malformed token before any lookup, then answers unknown or revoked, or
 *   the token's record; it writes the last-used time at most once a minute per token.
 * - `revoke` takes an id or a live token's name and answers the revoked record, or undefined.
 * - `list` orders by id.
 */
export interface TokenRepository {
  readonly backend: 'sqlite' | 'postgres';
  create(name: string, scope: Scope): Promise<{ token: string; info: TokenInfo }>;
  list(): Promise<TokenInfo[]>;
  get(id: number): Promise<TokenInfo | undefined>;
  revoke(idOrName: string): Promise<TokenInfo | undefined>;
  verify(token: string): Promise<TokenCheck>;
}
