import type { TokenRepository } from './backend.js';
import type { Scope, TokenStore } from './tokens.js';

/**
 * The SQLite TokenStore behind the asynchronous TokenRepository: each method calls the
 * synchronous store and resolves with its answer (a throw becomes a rejection).
 */
export class SqliteTokenRepository implements TokenRepository {
  readonly backend = 'sqlite' as const;

  constructor(readonly store: TokenStore) {}

  async create(name: string, scope: Scope) { return this.store.create(name, scope); }
  async list() { return this.store.list(); }
  async get(id: number) { return this.store.get(id); }
  async revoke(idOrName: string) { return this.store.revoke(idOrName); }
  async verify(token: string) { return this.store.verify(token); }
}
