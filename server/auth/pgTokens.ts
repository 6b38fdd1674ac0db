import { timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { TokenRepository } from './backend.js';
import {
  checkNewToken, hashToken, LAST_USED_RESOLUTION_MS, liveNameTaken, newToken, toInfo, wellFormedToken, type Scope, type TokenCheck, type TokenInfo, type TokenRow,
} from './tokens.js';

/**
 * `api_tokens` in PostgreSQL (migrations-pg/0002_application.sql), answering as the SQLite
 * TokenStore does (test/tokens-contract.test.ts). The pool must parse bigint as numbers
 * (`storeTypes`, server/store/pg/pool.ts): share the metric store's. Every method is one
 * statement, so replicas creating, revoking and verifying at once stay consistent (the partial
 * unique index keeps one live token per name).
 */
const COLS = 'id, name, scope, hash, prefix, created_at, last_used_at, revoked_at';

export class PgTokenStore implements TokenRepository {
  readonly backend = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => number,
  ) {}

  async create(name: string, scope: Scope): Promise<{ token: string; info: TokenInfo }> {
    checkNewToken(name, scope);
    const token = newToken();
    try {
      const r = await this.pool.query<TokenRow>(
        `INSERT INTO api_tokens (name, scope, hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLS}`,
        [name, scope, hashToken(token), token.slice(0, 7), Math.round(this.now())],
      );
      return { token, info: toInfo(r.rows[0]!) };
    } catch (err) {
      if ((err as { code?: string; constraint?: string }).code === '23505' && (err as { constraint?: string }).constraint === 'api_tokens_live_name') {
        throw liveNameTaken(name);
      }
      throw err;
    }
  }

  async list(): Promise<TokenInfo[]> {
    return (await this.pool.query<TokenRow>(`SELECT ${COLS} FROM api_tokens ORDER BY id`)).rows.map(toInfo);
  }

  async get(id: number): Promise<TokenInfo | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = (await this.pool.query<TokenRow>(`SELECT ${COLS} FROM api_tokens WHERE id = $1`, [id])).rows[0];
    return row && toInfo(row);
  }

  async revoke(idOrName: string): Promise<TokenInfo | undefined> {
    const byId = /^\d+$/.test(idOrName);
    if (byId && !Number.isSafeInteger(Number(idOrName))) return undefined;
    const r = await this.pool.query<TokenRow>(
      `UPDATE api_tokens SET revoked_at = $1 WHERE ${byId ? 'id' : 'name'} = $2 AND revoked_at IS NULL RETURNING ${COLS}`,
      [Math.round(this.now()), byId ? Number(idOrName) : idOrName],
    );
    return r.rows[0] && toInfo(r.rows[0]);
  }

  async verify(token: string): Promise<TokenCheck> {
    if (!wellFormedToken(token)) return { ok: false, reason: 'malformed' };
    const hash = hashToken(token);
    const row = (await this.pool.query<TokenRow>(`SELECT ${COLS} FROM api_tokens WHERE hash = $1`, [hash])).rows[0];
    if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex'))) return { ok: false, reason: 'unknown' };
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
    const now = Math.round(this.now());
    if (row.last_used_at === null || now - row.last_used_at > LAST_USED_RESOLUTION_MS) {
      // Another replica may have marked it meanwhile: the condition keeps the write at most once a minute.
      await this.pool.query(
        'UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR $1 - last_used_at > $3)',
        [now, row.id, LAST_USED_RESOLUTION_MS],
      );
      row.last_used_at = now;
    }
    return { ok: true, info: toInfo(row) };
  }
}
