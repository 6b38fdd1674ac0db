import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  checkConnection, DatabaseConnectError, isPostgresUrl, parsePgUrl, redactUrl,
} from '../server/store/pg/connection.js';
import { openPgStore } from '../server/store/pg/store.js';
import { freePort } from './support/real-binaries.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';

const SECRET = 's3cr:et@pw';
const enc = encodeURIComponent(SECRET);

/** Asserts `fn` fails with one line that says `pattern` and never shows the password. */
async function failsWithOneLine(fn: () => unknown, pattern: RegExp, secret = SECRET): Promise<DatabaseConnectError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DatabaseConnectError, `a DatabaseConnectError, got ${String(caught)}`);
  const msg = caught.message;
  assert.match(msg, pattern);
  assert.equal(msg.includes('\n'), false, `one line: ${msg}`);
  assert.equal(msg.includes(secret), false, `the password is not shown: ${msg}`);
  assert.equal(msg.includes(encodeURIComponent(secret)), false, `the encoded password is not shown: ${msg}`);
  return caught;
}

describe('the PostgreSQL database setting', () => {
  test('a postgres:// URL gives host, port, database, user and password; anything else is a SQLite path', () => {
    const c = parsePgUrl(`postgresql://pillar:${enc}@db.example:6543/metrics?application_name=wall`, {});
    assert.deepEqual([c.host, c.port, c.database, c.user, c.passwordFrom, c.sslmode], ['db.example', 6543, 'metrics', 'pillar', 'url', 'disable']);
    assert.equal(c.pool.password, SECRET);
    assert.equal(c.pool.application_name, 'wall');
    assert.equal(c.redacted, 'postgresql://pillar:***@db.example:6543/metrics?application_name=wall');
    assert.equal(parsePgUrl('postgres://u@h/d', {}).port, 5432);
    assert.equal(isPostgresUrl('postgres://u@h/d'), true);
    assert.equal(isPostgresUrl('./data/pillarboard.db'), false);
    assert.equal(redactUrl(`postgres://u:${enc}@h/d`), 'postgres://u:***@h/d');
  });

  test('the password comes from the URL, else PILLARBOARD_DB_PASSWORD_FILE, else PGPASSWORD', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-pgpass-'));
    try {
      const file = path.join(dir, 'pw');
      fs.writeFileSync(file, 'from-file\n');
      const env = { PILLARBOARD_DB_PASSWORD_FILE: file, PGPASSWORD: 'from-env' };
      assert.equal(parsePgUrl('postgres://u:from-url@h/d', env).pool.password, 'from-url');
      const f = parsePgUrl('postgres://u@h/d', env);
      assert.deepEqual([f.pool.password, f.passwordFrom], ['from-file', 'file'], 'one trailing newline is not part of the password');
      const e = parsePgUrl('postgres://u@h/d', { PGPASSWORD: 'from-env' });
      assert.deepEqual([e.pool.password, e.passwordFrom], ['from-env', 'PGPASSWORD']);
      assert.equal(parsePgUrl('postgres://u@h/d', {}).passwordFrom, 'none');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a wrong setting is refused with one line naming the part, the password redacted', async () => {
    const cases: Array<[string, RegExp, NodeJS.ProcessEnv?]> = [
      [`postgres://u:${enc}@h:99999/d`, /port must be 1–65535/],
      [`postgres://u:${enc}@h:5432/`, /database name is missing/],
      [`postgres://:${enc}@h/d`, /user is missing/],
      [`postgres://u:${enc}@h/d?sslmode=prefer`, /sslmode=prefer is not supported/],
      [`postgres://u:${enc}@h/d?sslmode=on`, /sslmode must be one of disable, require, verify-ca, verify-full, got on/],
      [`postgres://u:${enc}@h/d?sslmode=verify-ca`, /sslmode=verify-ca needs sslrootcert=FILE/],
      [`postgres://u:${enc}@h/d?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem`, /cannot read the CA file sslrootcert=\/nonexistent\/ca.pem/],
      [`postgres://u:${enc}@h/d?ssl=true`, /unknown parameter ssl/],
      [`postgres://u:${enc}@h/d?connect_timeout=soon`, /connect_timeout must be a positive number of seconds/],
      ['postgres://u@h/d', /cannot read the password file PILLARBOARD_DB_PASSWORD_FILE=\/nonexistent\/pw/, { PILLARBOARD_DB_PASSWORD_FILE: '/nonexistent/pw' }],
    ];
    for (const [url, pattern, env] of cases) {
      const err = await failsWithOneLine(() => parsePgUrl(url, env ?? {}), pattern);
      assert.ok(err.message.startsWith('database postgres://'), err.message);
    }
  });

  test('TLS: require encrypts without checking, verify-full checks chain and host, verify-ca the chain only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-pgca-'));
    try {
      const ca = path.join(dir, 'ca.pem');
      fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const ssl = (q: string, env: NodeJS.ProcessEnv = {}) => parsePgUrl(`postgres://u@h/d${q}`, env).pool.ssl as false | Record<string, unknown>;
      assert.equal(ssl(''), false);
      assert.deepEqual(ssl('?sslmode=require'), { rejectUnauthorized: false });
      const full = ssl(`?sslmode=verify-full&sslrootcert=${ca}`) as Record<string, unknown>;
      assert.equal(full.rejectUnauthorized, true);
      assert.match(String(full.ca), /BEGIN CERTIFICATE/);
      assert.equal(full.checkServerIdentity, undefined, 'verify-full keeps the host name check');
      const vca = ssl(`?sslmode=verify-ca&sslrootcert=${ca}`) as Record<string, unknown>;
      assert.equal(typeof vca.checkServerIdentity, 'function');
      assert.deepEqual(ssl('', { PGSSLMODE: 'require' }), { rejectUnauthorized: false }, 'PGSSLMODE as libpq reads it');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('connecting to a real PostgreSQL', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  let url: string;
  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
  });
  after(() => server.stop());
  const withPassword = (u: string, pw: string) => u.replace(`:${server.password}@`, `:${encodeURIComponent(pw)}@`);

  test('the right URL connects, also with the password from a file or PGPASSWORD', async () => {
    await checkConnection(parsePgUrl(url, {}));
    const bare = url.replace(`:${server.password}@`, '@');
    await checkConnection(parsePgUrl(bare, { PGPASSWORD: server.password }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-pgpass-'));
    try {
      fs.writeFileSync(path.join(dir, 'pw'), server.password + '\n');
      await checkConnection(parsePgUrl(bare, { PILLARBOARD_DB_PASSWORD_FILE: path.join(dir, 'pw') }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a wrong password gives one line saying authentication failed, the password redacted', async () => {
    const err = await failsWithOneLine(() => checkConnection(parsePgUrl(withPassword(url, SECRET), {})), /authentication failed for user pillarboard_test.*28P01/);
    assert.match(err.message, /^database postgres:\/\/pillarboard_test:\*\*\*@127\.0\.0\.1:\d+\//);
    assert.equal(err.code, '28P01');
    await failsWithOneLine(() => openPgStore({ url: withPassword(url, SECRET), now: Date.now }), /authentication failed/);
  });

  test('a missing database, a port nobody listens on and TLS the server lacks each give their own line', async () => {
    const good = server.password;
    await failsWithOneLine(() => checkConnection(parsePgUrl(url.replace(/\/[a-z0-9_]+$/, '/no_such_db'), {})), /database no_such_db does not exist on 127\.0\.0\.1:\d+.*3D000/, good);
    const port = await freePort();
    await failsWithOneLine(() => checkConnection(parsePgUrl(url.replace(/:\d+\//, `:${port}/`), {})), new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`), good);
    await failsWithOneLine(() => checkConnection(parsePgUrl(`${url}?sslmode=require`, {})), /does not offer TLS; use sslmode=disable/, good);
  });
});
