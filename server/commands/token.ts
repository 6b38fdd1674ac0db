import { openExistingStore } from './database.js';
import type { TokenRepository } from '../auth/backend.js';
import { SqliteTokenRepository } from '../auth/sqliteTokens.js';
import { SCOPES, TokenError, TokenStore, type Scope } from '../auth/tokens.js';
import { renderTable } from './table.js';
import { systemClock } from '../clock.js';

async function withTokens<T>(dbPath: string, fn: (tokens: TokenRepository) => Promise<T>): Promise<T> {
  const store = openExistingStore({ path: dbPath, now: systemClock.now });
  try {
    return await fn(new SqliteTokenRepository(new TokenStore(store.db, systemClock.now)));
  } finally {
    store.close();
  }
}

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

/** `pillarboard token create`: prints the token once, on stdout alone, so scripts can capture it. */
export async function runTokenCreate(dbPath: string, name: string, scope: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  if (!SCOPES.includes(scope as Scope)) {
    err.write(`pillarboard: --scope must be one of ${SCOPES.join(', ')} (got "${scope}")\n`);
    return 2;
  }
  try {
    const { token, info } = await withTokens(dbPath, (t) => t.create(name, scope as Scope));
    out.write(token + '\n');
    err.write(`created token "${info.name}" (id ${info.id}, scope ${info.scope}); it is shown only this once\n`);
    return 0;
  } catch (e) {
    if (e instanceof TokenError) {
      err.write(`pillarboard: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

export async function runTokenList(dbPath: string, out: NodeJS.WritableStream): Promise<number> {
  const tokens = await withTokens(dbPath, (t) => t.list());
  out.write(
    renderTable(
      ['ID', 'NAME', 'SCOPE', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'],
      tokens.map((t) => [String(t.id), t.name, t.scope, t.prefix + '…', when(t.createdAt), when(t.lastUsedAt), when(t.revokedAt)]),
    ),
  );
  return 0;
}

export async function runTokenRevoke(dbPath: string, idOrName: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const revoked = await withTokens(dbPath, (t) => t.revoke(idOrName));
  if (!revoked) {
    err.write(`pillarboard: no live token with id or name "${idOrName}"\n`);
    return 2;
  }
  out.write(`revoked token "${revoked.name}" (id ${revoked.id})\n`);
  return 0;
}
