/**
 * The API tokens repository contract (issue 14): the same tests once per backend — SQLite
 * through its async adapter and PostgreSQL on a real server started for this file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { TokenError } from '../server/auth/tokens.js';
import { postgresBackend, sqliteBackend, type StoreBackend } from './support/store-backends.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`tokens contract on ${backend.name}`, { skip: backend.skip }, () => {
    before(() => backend.setup());
    after(() => backend.teardown());
    contract(backend);
  });
}

function contract(backend: StoreBackend): void {
  async function open(t: TestContext) {
    let clock = T0;
    const tokens = await backend.openTokens(t, () => clock);
    return { tokens, tick: (ms: number) => (clock += ms) };
  }

  test('a created token verifies with its record; its secret is shown once and only its prefix is kept', async (t) => {
    const { tokens } = await open(t);
    assert.equal(tokens.backend, backend.name);
    const { token, info } = await tokens.create('wall screen', 'read');
    assert.match(token, /^pb_[A-Za-z0-9_-]{32}$/);
    assert.deepEqual(info, { id: info.id, name: 'wall screen', scope: 'read', prefix: token.slice(0, 7), createdAt: T0, lastUsedAt: null, revokedAt: null });
    const check = await tokens.verify(token);
    assert.ok(check.ok);
    assert.deepEqual({ ...check.info, lastUsedAt: null }, info);
    assert.equal(check.info.lastUsedAt, T0);
    assert.deepEqual(await tokens.list(), [{ ...info, lastUsedAt: T0 }]);
    assert.equal(JSON.stringify(await tokens.list()).includes(token), false);
  });

  test('malformed, unknown and revoked tokens are refused, each saying why', async (t) => {
    const { tokens, tick } = await open(t);
    assert.deepEqual(await tokens.verify('not-a-token'), { ok: false, reason: 'malformed' });
    assert.deepEqual(await tokens.verify('pb_' + 'A'.repeat(32)), { ok: false, reason: 'unknown' });
    const { token, info } = await tokens.create('temp', 'write');
    tick(1000);
    const revoked = await tokens.revoke('temp');
    assert.deepEqual(revoked, { ...info, revokedAt: T0 + 1000 });
    assert.deepEqual(await tokens.verify(token), { ok: false, reason: 'revoked' });
    assert.equal(await tokens.revoke('temp'), undefined, 'a revoked token is not revoked twice');
    assert.equal(await tokens.revoke(String(info.id)), undefined);
    assert.equal(await tokens.revoke('99999999999999999999'), undefined);
    assert.deepEqual((await tokens.get(info.id))!.revokedAt, T0 + 1000);
    assert.equal(await tokens.get(info.id + 1000), undefined);
  });

  test('revoke takes an id as well as a name', async (t) => {
    const { tokens } = await open(t);
    const a = await tokens.create('a', 'read');
    const b = await tokens.create('b', 'admin');
    assert.equal((await tokens.revoke(String(b.info.id)))!.name, 'b');
    assert.equal((await tokens.verify(a.token)).ok, true);
    assert.deepEqual(await tokens.verify(b.token), { ok: false, reason: 'revoked' });
  });

  test('a live name is unique; a revoked name can be reused; bad names and scopes are refused naming them', async (t) => {
    const { tokens } = await open(t);
    await tokens.create('ci pipeline', 'write');
    await assert.rejects(tokens.create('ci pipeline', 'read'), (e: unknown) => e instanceof TokenError && /a live token named "ci pipeline" exists/.test(e.message));
    await tokens.revoke('ci pipeline');
    const again = await tokens.create('ci pipeline', 'read');
    assert.equal(again.info.scope, 'read');
    await assert.rejects(tokens.create(' leading space', 'read'), (e: unknown) => e instanceof TokenError && /invalid token name " leading space"/.test(e.message));
    await assert.rejects(tokens.create('x', 'root' as never), (e: unknown) => e instanceof TokenError && /invalid scope "root": one of read, write, admin/.test(e.message));
    // name, scope, live — by id
    assert.deepEqual((await tokens.list()).map((i) => [i.name, i.scope, i.revokedAt === null]), [['ci pipeline', 'write', false], ['ci pipeline', 'read', true]]);
  });

  test('the last-used time is written at most once a minute', async (t) => {
    const { tokens, tick } = await open(t);
    const { token, info } = await tokens.create('kiosk', 'read');
    await tokens.verify(token);
    tick(59_000);
    await tokens.verify(token);
    assert.equal((await tokens.get(info.id))!.lastUsedAt, T0);
    tick(2_000);
    const check = await tokens.verify(token);
    assert.ok(check.ok && check.info.lastUsedAt === T0 + 61_000);
    assert.equal((await tokens.get(info.id))!.lastUsedAt, T0 + 61_000);
  });
}
