import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { TokenRepository } from '../../server/auth/backend.js';
import { PgTokenStore } from '../../server/auth/pgTokens.js';
import { SqliteTokenRepository } from '../../server/auth/sqliteTokens.js';
import { TokenStore } from '../../server/auth/tokens.js';
import type { EventRepository } from '../../server/events/backend.js';
import { PgEventStore } from '../../server/events/pgStore.js';
import { SqliteEventRepository } from '../../server/events/sqliteEvents.js';
import { EventStore } from '../../server/events/store.js';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { MetricStore } from '../../server/store/backend.js';
import { openStore } from '../../server/store/index.js';
import { openPgStore } from '../../server/store/pg/store.js';
import { SqliteMetricStore } from '../../server/store/sqliteBackend.js';
import type { RetentionPolicy } from '../../server/store/types.js';
import { requirePostgres, startPostgres, type PostgresServer } from './postgres.js';

/**
 * The metric store backends the contract suite (test/store-contract.test.ts) runs against:
 * the embedded SQLite store (a fresh file per test) and PostgreSQL (one real server per test
 * file, a fresh database per test).
 */

export interface ContractOptions {
  now: () => number;
  retention?: Partial<RetentionPolicy>;
  headMaxRows?: number;
}

export interface StoreBackend {
  name: 'sqlite' | 'postgres';
  /** false, or why the backend's tests are skipped (never under CI=true: there it throws). */
  skip: false | string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A fresh, empty store closed (and its file or database dropped with the server) when the test ends. */
  open(t: TestContext, opts: ContractOptions): Promise<MetricStore>;
  /** The events repository of a fresh, empty store (test/events-contract.test.ts). */
  openEvents(t: TestContext, now: () => number): Promise<EventRepository>;
  /** The API tokens repository of a fresh, empty store (test/tokens-contract.test.ts). */
  openTokens(t: TestContext, now: () => number): Promise<TokenRepository>;
  /**
   * A repository over the application tables of a fresh, empty store, made by `make` for this
   * backend: over the SQLite store's database, or over the PostgreSQL metric store's pool (which
   * ran the migrations and parses bigint as numbers).
   */
  openTables<T>(t: TestContext, now: () => number, make: TablesFactory<T>): Promise<T>;
}

/** How a contract suite builds its repository on either backend. */
export interface TablesFactory<T> {
  sqlite(db: Database.Database, now: () => number): T;
  postgres(pool: pg.Pool, now: () => number): T;
}

export function sqliteBackend(): StoreBackend {
  return {
    name: 'sqlite',
    skip: false,
    async setup() {},
    async teardown() {},
    async open(t, opts) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-contract-'));
      const store = new SqliteMetricStore(openStore({ path: path.join(dir, 'store.db'), ...opts }));
      t.after(async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      return store;
    },
    async openEvents(t, now) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-contract-'));
      const store = openStore({ path: path.join(dir, 'store.db'), now });
      t.after(() => {
        store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      return new SqliteEventRepository(new EventStore(store.db, now));
    },
    async openTokens(t, now) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-contract-'));
      const store = openStore({ path: path.join(dir, 'store.db'), now });
      t.after(() => {
        store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      return new SqliteTokenRepository(new TokenStore(store.db, now));
    },
    async openTables(t, now, make) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-contract-'));
      const store = openStore({ path: path.join(dir, 'store.db'), now });
      t.after(() => {
        store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      return make.sqlite(store.db, now);
    },
  };
}

export function postgresBackend(): StoreBackend {
  let server: PostgresServer | undefined;
  return {
    name: 'postgres',
    skip: requirePostgres(),
    async setup() {
      server = await startPostgres();
    },
    async teardown() {
      await server?.stop();
    },
    async open(t, opts) {
      if (!server) throw new Error('postgresBackend: setup() has not run');
      const url = await server.createDatabase();
      const store = await openPgStore({ url, maxConnections: 4, ...opts });
      t.after(() => store.close());
      return store;
    },
    async openEvents(t, now) {
      if (!server) throw new Error('postgresBackend: setup() has not run');
      // The metric store runs the migrations and owns the pool (with its type parsers) the events share.
      const store = await openPgStore({ url: await server.createDatabase(), maxConnections: 4, now });
      t.after(() => store.close());
      return new PgEventStore(store.pool, now);
    },
    async openTokens(t, now) {
      if (!server) throw new Error('postgresBackend: setup() has not run');
      const store = await openPgStore({ url: await server.createDatabase(), maxConnections: 4, now });
      t.after(() => store.close());
      return new PgTokenStore(store.pool, now);
    },
    async openTables(t, now, make) {
      if (!server) throw new Error('postgresBackend: setup() has not run');
      const store = await openPgStore({ url: await server.createDatabase(), maxConnections: 4, now });
      t.after(() => store.close());
      return make.postgres(store.pool, now);
    },
  };
}
