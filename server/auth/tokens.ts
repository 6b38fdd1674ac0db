import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** admin ⊃ write ⊃ read: a token may do what its scope and every lower scope allow. */
export function scopeAllows(has: Scope, needs: Scope): boolean {
  return SCOPES.indexOf(has) >= SCOPES.indexOf(needs);
}

export interface TokenInfo {
  id: number;
  name: string;
  scope: Scope;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Tokens look like `pb_` + 32 base62-ish characters; anything else is malformed before any lookup. */
const TOKEN_RE = /^pb_[A-Za-z0-9_-]{32}$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;

export class TokenError extends Error {}

/** verify()'s answer (both backends). */
export type TokenCheck = { ok: true; info: TokenInfo } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

/** SHA-256 of the token in hex: what `api_tokens.hash` holds (both backends). */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Throws TokenError naming what is wrong with a new token's name or scope (both backends, before any write). */
export function checkNewToken(name: string, scope: Scope): void {
  if (!NAME_RE.test(name)) throw new TokenError(`invalid token name "${name}": 1–64 letters, digits, space, . _ @ -`);
  if (!SCOPES.includes(scope)) throw new TokenError(`invalid scope "${scope}": one of ${SCOPES.join(', ')}`);
}

/** A fresh token in clear: `pb_` + 32 base64url characters. */
export const newToken = () => 'pb_' + randomBytes(24).toString('base64url');

/** Whether a string has a token's shape (checked before any lookup). */
export const wellFormedToken = (token: string) => TOKEN_RE.test(token);

/** Refused when a live token already has the name (both backends say it alike). */
export const liveNameTaken = (name: string) => new TokenError(`a live token named "${name}" exists; revoke it first or pick another name`);

/** A last-used time is written at most this often per token. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * API tokens, stored hashed (see migrations/0003_api_tokens.sql). The only module that
 * reads or writes `api_tokens`.
 */
export class TokenStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  /** Creates a token and returns it in clear — the only time it is ever visible. */
  create(name: string, scope: Scope): { token: string; info: TokenInfo } {
    checkNewToken(name, scope);
    const token = newToken();
    try {
      const row = this.db
        .prepare('INSERT INTO api_tokens (name, scope, hash, prefix, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id')
        .get(name, scope, hashToken(token), token.slice(0, 7), this.now()) as { id: number };
      return { token, info: this.get(row.id)! };
    } catch (err) {
      if (/UNIQUE constraint failed: api_tokens\.name/.test((err as Error).message)) {
        throw liveNameTaken(name);
      }
      throw err;
    }
  }

  list(): TokenInfo[] {
    return (this.db.prepare('SELECT * FROM api_tokens ORDER BY id').all() as TokenRow[]).map(toInfo);
  }

  get(id: number): TokenInfo | undefined {
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return row && toInfo(row);
  }

  /** Revokes by id or by name (of a live token). Returns the revoked token, or undefined if none matched. */
  revoke(idOrName: string): TokenInfo | undefined {
    const row = (/^\d+$/.test(idOrName)
      ? this.db.prepare('SELECT * FROM api_tokens WHERE id = ? AND revoked_at IS NULL').get(Number(idOrName))
      : this.db.prepare('SELECT * FROM api_tokens WHERE name = ? AND revoked_at IS NULL').get(idOrName)) as TokenRow | undefined;
    if (!row) return undefined;
    this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(this.now(), row.id);
    return this.get(row.id);
  }

  /**
   * The live token matching `token`, or why not. Malformed tokens are refused before any
   * lookup; the comparison of hashes is constant-time. Marks the token used (at most once a minute).
   */
  verify(token: string): TokenCheck {
    if (!wellFormedToken(token)) return { ok: false, reason: 'malformed' };
    const hash = hashToken(token);
    const row = this.db.prepare('SELECT * FROM api_tokens WHERE hash = ?').get(hash) as TokenRow | undefined;
    if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex'))) return { ok: false, reason: 'unknown' };
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
    const now = this.now();
    if (row.last_used_at === null || now - row.last_used_at > LAST_USED_RESOLUTION_MS) {
      this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
      row.last_used_at = now;
    }
    return { ok: true, info: toInfo(row) };
  }
}

/** A row of `api_tokens` as both stores read it (PostgreSQL's pool parses bigint to numbers). */
export interface TokenRow {
  id: number;
  name: string;
  scope: Scope;
  hash: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export function toInfo(r: TokenRow): TokenInfo {
  return {
    id: r.id,
    name: r.name,
    scope: r.scope,
    prefix: r.prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}
