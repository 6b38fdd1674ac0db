import * as fs from 'node:fs';
import type { RequestListener } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { PROMETHEUS_VECTOR_ANSWER, SMALL_EXPOSITION } from './sample-pages.js';
import { hangingRepo, TestRepo } from './git-repo.js';

/**
 * What the shared contract suite needs to exercise each collector type. Every type in
 * `collectorDefinitions` must have an entry: the suite fails for a type without one, so
 * a new collector cannot skip the contract.
 */
export interface ContractFixture {
  /** A valid config for a target at `base` (served by `contractTargetHandler`, or a hanging/closed one). */
  config(base: string): unknown;
  /** An invalid config and the field path (dot-joined) the error must name. */
  invalid: { config: unknown; path: string };
  /**
   * How the type meets an unreachable target: `throws` (the run fails naming the target),
   * `reports` (a probe: the run succeeds with a sample saying the target is down), or
   * `none` with the reason the type has no target.
   */
  down: { kind: 'throws' } | { kind: 'reports'; sample: string; value: number } | { kind: 'none'; reason: string };
  /** For a type with no target: a config whose run is slow enough to abort mid-way. */
  slowConfig?: unknown;
  /**
   * For a type whose target the HTTP server cannot play (a database): a config for a healthy
   * target of its own, used instead of `config(healthy URL)`; `config` still serves the
   * hanging and closed targets.
   */
  healthyConfig?: () => unknown;
}

export const contractFixtures: Record<string, ContractFixture> = {
  prometheus: {
    config: (base) => ({ url: base, queries: { up_now: 'up' } }),
    invalid: { config: { url: 'http://127.0.0.1:9090', queries: [{ name: 'ok', query: 'up' }, { name: 'bad name', query: 'up' }] }, path: 'queries.1.name' },
    down: { kind: 'throws' },
  },
  scrape: {
    config: (base) => ({ url: `${base}/metrics` }),
    invalid: { config: { url: 'ftp://127.0.0.1/metrics' }, path: 'url' },
    down: { kind: 'throws' },
  },
  http: {
    config: (base) => ({ targets: [`${base}/health`], probe_timeout_ms: 30_000 }),
    invalid: { config: { targets: [{ url: 'http://127.0.0.1/', expect_status: 99 }] }, path: 'targets.0.expect_status' },
    down: { kind: 'reports', sample: 'probe_success', value: 0 },
  },
  host: {
    config: () => ({ disks: ['/'], cpu_window_ms: 20 }),
    invalid: { config: { disks: [], cpu_window_ms: 20 }, path: 'disks' },
    down: { kind: 'none', reason: 'host reads this machine, it has no target that can be down' },
    slowConfig: { cpu_window_ms: 10_000 },
  },
  git: {
    config: () => ({ path: gitRepos().healthy.dir, deploy: { tags: 'v*' }, since: '3650d' }),
    invalid: { config: { path: '.', deploy: { tags: '' } }, path: 'deploy.tags' },
    down: { kind: 'none', reason: 'git reads a local repository; a path that is not one is tested in collector-git.test.ts' },
    get slowConfig() {
      return { path: gitRepos().hanging.dir, deploy: { tags: 'v*' } };
    },
  },
  json: {
    config: (base) => ({ url: `${base}/api/orders`, metrics: [{ name: 'orders', items: '$.data[*]', value: '$.count', labels: { region: '$.region' } }] }),
    invalid: { config: { url: 'http://127.0.0.1/api', metrics: [{ name: 'orders', value: '$.data[?(@.count > 1)]' }] }, path: 'metrics.0.value' },
    down: { kind: 'throws' },
  },
  sql: {
    config: (base) => ({
      driver: 'postgres',
      dsn: `postgres://reader@${new URL(base).host}/shop`,
      connect_timeout: '30s',
      queries: [{ name: 'shop_orders', sql: 'SELECT count(*) AS n FROM orders', value_column: 'n' }],
    }),
    healthyConfig: () => ({
      driver: 'sqlite',
      path: shopDb(),
      queries: [{ name: 'shop_orders', sql: 'SELECT country, count(*) AS n FROM orders GROUP BY country', value_column: 'n', label_columns: ['country'] }],
    }),
    invalid: {
      config: { driver: 'sqlite', path: 'shop.db', queries: [{ name: 'shop_orders', sql: 'SELECT 1 AS n', value_column: 'n', label_columns: ['n'] }] },
      path: 'queries.0.label_columns.0',
    },
    down: { kind: 'throws' },
  },
};

/** A SQLite file with a few orders for the sql fixture, made on first use and removed at exit. */
let shopFile: string | undefined;
function shopDb(): string {
  if (shopFile) return shopFile;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-contract-sql-'));
  const file = path.join(dir, 'shop.db');
  const db = new Database(file);
  db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, country TEXT); INSERT INTO orders (country) VALUES ('FR'), ('FR'), ('DE');");
  db.close();
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  shopFile = file;
  return file;
}

/** The git fixtures' repositories, built on first use and removed when the process exits. */
let repos: { healthy: TestRepo; hanging: TestRepo } | undefined;
function gitRepos(): { healthy: TestRepo; hanging: TestRepo } {
  if (repos) return repos;
  const healthy = new TestRepo();
  healthy.commit('a.txt', 3, 'first', Date.UTC(2026, 0, 1));
  healthy.tag('v1');
  const hanging = hangingRepo();
  repos = { healthy, hanging };
  process.once('exit', () => {
    healthy.remove();
    hanging.remove();
  });
  return repos;
}

/** The healthy target every network fixture points at: one server answering each type's path. */
export const contractTargetHandler: RequestListener = (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(SMALL_EXPOSITION);
  } else if (path === '/api/v1/query') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PROMETHEUS_VECTOR_ANSWER));
  } else if (path === '/api/orders') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ region: 'eu', count: 3 }, { region: 'us', count: 4 }] }));
  } else if (path === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  } else {
    res.writeHead(404).end('not found');
  }
};
