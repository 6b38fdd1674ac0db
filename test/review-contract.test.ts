/**
 * The review tables' contract (issue 14): lenses, answers and their archive, milestones and the
 * improvement plan through the asynchronous ReviewRepository, the same tests once per backend —
 * SQLite through its adapter and PostgreSQL on a real server started for this file — and, on
 * PostgreSQL, replicas' transactions queueing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { AnswerState } from '../server/review/answers.js';
import type { ReviewRepository } from '../server/review/backend.js';
import type { LensDocument } from '../server/review/lens/format.js';
import { PgReviewStore } from '../server/review/pgStore.js';
import { SqliteReviewRepository } from '../server/review/sqliteStore.js';
import { openPgStore } from '../server/store/pg/store.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';
import { postgresBackend, sqliteBackend, type StoreBackend } from './support/store-backends.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');

const lensDoc = (name: string, extra: Record<string, unknown> = {}) => ({ schemaVersion: 1, name, pillars: [{ id: 'ops', name: 'Opérations ✓', questions: [] }], ...extra }) as unknown as LensDocument;

function answer(lensId: string, questionId: string, extra: Partial<AnswerState> = {}): AnswerState {
  return {
    lensId, questionId, personChoices: null, overrides: [], notApplicable: false, reason: null, note: null, answeredBy: null, answeredAt: null,
    evidence: {}, updatedAt: T0, ...extra,
  };
}

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`review tables contract on ${backend.name}`, { skip: backend.skip }, () => {
    before(() => backend.setup());
    after(() => backend.teardown());
    contract(backend);
  });
}

function contract(backend: StoreBackend): void {
  const open = (t: TestContext): Promise<ReviewRepository> =>
    backend.openTables<ReviewRepository>(t, () => T0, { sqlite: (db) => new SqliteReviewRepository(db), postgres: (pool) => new PgReviewStore(pool) });

  test('the repository names its backend', async (t) => {
    assert.equal((await open(t)).backend, backend.name);
  });

  test('lenses are stored whole, replaced by id keeping their import time, listed built-in first then by id in byte order, and deleted', async (t) => {
    const repo = await open(t);
    // Keys in a non-alphabetical order: the document reads back exactly as written.
    await repo.putLens({ id: 'b-lens', doc: lensDoc('B', { z: 1, a: 2 }), hash: 'h1', builtin: false }, T0);
    await repo.putLens({ id: 'B-upper', doc: lensDoc('Upper'), hash: 'h2', builtin: false }, T0);
    await repo.putLens({ id: 'wellarchitected', doc: lensDoc('WA'), hash: 'h3', builtin: true }, T0);
    await repo.putLens({ id: 'b-lens', doc: lensDoc('B2'), hash: 'h4', builtin: false }, T0 + 1000);
    assert.deepEqual((await repo.listLenses()).map((l) => [l.id, l.name, l.builtin]), [['wellarchitected', 'WA', true], ['B-upper', 'Upper', false], ['b-lens', 'B2', false]]);
    const got = (await repo.getLens('b-lens'))!;
    assert.deepEqual([got.importedAt, got.updatedAt, got.hash], [T0, T0 + 1000, 'h4']);
    assert.deepEqual(got.doc, lensDoc('B2'));
    await repo.putLens({ id: 'k', doc: lensDoc('K', { z: 1, a: 2 }), hash: 'h5', builtin: false }, T0);
    assert.deepEqual(Object.keys((await repo.getLens('k'))!.doc), ['schemaVersion', 'name', 'pillars', 'z', 'a']);
    assert.deepEqual(await repo.lensHashes(), new Map([['b-lens', 'h4'], ['B-upper', 'h2'], ['wellarchitected', 'h3'], ['k', 'h5']]));
    assert.equal(await repo.deleteLens('k'), true);
    assert.equal(await repo.deleteLens('k'), false);
    assert.equal(await repo.getLens('k'), undefined);
  });

  test('answers read back with every field, replaced by (lens, question), listed by lens then question, and deleted', async (t) => {
    const repo = await open(t);
    const full = answer('wa', 'ops-1', {
      personChoices: ['a', 'b'], overrides: ['c'], notApplicable: true, reason: 'business_priorities', note: 'später ✓', answeredBy: 'ana',
      answeredAt: T0 - 5, evidence: { c: { when: 'availability >= 99.9', result: true, holds: true, since: T0 - 60_000, checkedAt: T0, indicators: [] } },
    });
    await repo.putAnswer(full, { selected: ['a', 'b', 'c'], source: 'mixed' });
    await repo.putAnswer(answer('wa', 'Ops-0'), { selected: [], source: null });
    await repo.putAnswer(answer('aa', 'q'), { selected: [], source: 'auto' });
    assert.deepEqual(await repo.getAnswer('wa', 'ops-1'), full);
    assert.deepEqual((await repo.listAnswers()).map((a) => `${a.lensId}/${a.questionId}`), ['aa/q', 'wa/Ops-0', 'wa/ops-1']);
    assert.deepEqual((await repo.listAnswers('wa')).map((a) => a.questionId), ['Ops-0', 'ops-1']);
    await repo.putAnswer({ ...full, personChoices: null, notApplicable: false, reason: null, updatedAt: T0 + 1 }, { selected: ['c'], source: 'auto' });
    assert.deepEqual(await repo.getAnswer('wa', 'ops-1'), { ...full, personChoices: null, notApplicable: false, reason: null, updatedAt: T0 + 1 });
    await repo.deleteAnswer('wa', 'ops-1');
    assert.equal(await repo.getAnswer('wa', 'ops-1'), undefined);
    assert.equal((await repo.listAnswers()).length, 2);
  });

  test('archived answers keep a copy with the reason, oldest first', async (t) => {
    const repo = await open(t);
    const a = answer('wa', 'q1', { personChoices: ['x'] });
    await repo.archiveAnswer(a, 'the lens was removed', T0 + 2);
    await repo.archiveAnswer(answer('wa', 'q2'), 'choices no longer in the question: y', T0 + 1);
    await repo.archiveAnswer(answer('other', 'q'), 'x', T0);
    assert.deepEqual(await repo.archivedAnswers('wa'), [
      { questionId: 'q2', archivedAt: T0 + 1, reason: 'choices no longer in the question: y', answer: answer('wa', 'q2') },
      { questionId: 'q1', archivedAt: T0 + 2, reason: 'the lens was removed', answer: a },
    ]);
  });

  test('milestones keep their snapshot, list oldest first, and a weekly one is found by its week (one per week)', async (t) => {
    const repo = await open(t);
    const weekly = await repo.insertMilestone({ name: 'Week 2026-W47', kind: 'weekly', week: '2026-W47', createdAt: T0 + 10, snapshot: { at: T0, lenses: [1, 2] } });
    const manual = await repo.insertMilestone({ name: 'Before launch', kind: 'manual', week: null, createdAt: T0, snapshot: { at: T0 - 1 } });
    assert.deepEqual(weekly, { id: weekly.id, name: 'Week 2026-W47', kind: 'weekly', week: '2026-W47', createdAt: T0 + 10 });
    assert.deepEqual((await repo.listMilestones()).map((m) => m.name), ['Before launch', 'Week 2026-W47']);
    assert.deepEqual(await repo.getMilestone(manual.id), { ...manual, snapshot: { at: T0 - 1 } });
    assert.deepEqual(await repo.milestoneForWeek('2026-W47'), weekly);
    assert.equal(await repo.milestoneForWeek('2026-W48'), undefined);
    assert.equal(await repo.getMilestone(manual.id + weekly.id + 100), undefined);
    await assert.rejects(repo.insertMilestone({ name: 'again', kind: 'weekly', week: '2026-W47', createdAt: T0, snapshot: {} }), /UNIQUE|unique/);
  });

  test('improvement-plan rows are upserted keeping their creation time, listed by lens and question, and deleted per lens', async (t) => {
    const repo = await open(t);
    const row = { lensId: 'wa', questionId: 'q2', owner: 'ana', due: '2026-12-01', status: 'open' as const, note: null, actionItems: ['jira:OPS-1'], createdAt: T0, updatedAt: T0 };
    await repo.putImprovement(row);
    await repo.putImprovement({ ...row, questionId: 'q1', owner: null, due: null, actionItems: [] });
    await repo.putImprovement({ ...row, lensId: 'other' });
    await repo.putImprovement({ ...row, status: 'done', note: 'shipped', createdAt: T0 + 5, updatedAt: T0 + 9 });
    const list = await repo.listImprovements();
    assert.deepEqual(list.map((r) => `${r.lensId}/${r.questionId}`), ['other/q2', 'wa/q1', 'wa/q2']);
    assert.deepEqual(list[2], { ...row, status: 'done', note: 'shipped', createdAt: T0, updatedAt: T0 + 9 });
    assert.equal(await repo.deleteImprovements('wa'), 2);
    assert.deepEqual((await repo.listImprovements()).map((r) => r.lensId), ['other']);
  });

  test('a transaction commits what its callback wrote, and a callback that throws leaves nothing', async (t) => {
    const repo = await open(t);
    const kept = await repo.transaction(async (tx) => {
      await tx.putAnswer(answer('wa', 'q1'), { selected: [], source: null });
      await tx.archiveAnswer(answer('wa', 'q1'), 'r', T0);
      return (await tx.listAnswers()).length;
    });
    assert.equal(kept, 1);
    await assert.rejects(
      repo.transaction(async (tx) => {
        await tx.deleteAnswer('wa', 'q1');
        await tx.putLens({ id: 'l', doc: lensDoc('L'), hash: 'h', builtin: false }, T0);
        throw new Error('lens invalid');
      }),
      /lens invalid/,
    );
    assert.equal((await repo.listAnswers()).length, 1);
    assert.equal(await repo.getLens('l'), undefined);
    assert.equal((await repo.archivedAnswers('wa')).length, 1);
  });
}

describe('review tables on PostgreSQL across replicas', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server?.stop());

  test('read-modify-write transactions of two replicas queue: no update is lost', async (t) => {
    const url = await server.createDatabase();
    const stores = await Promise.all([0, 1].map(() => openPgStore({ url, maxConnections: 4, now: () => T0 })));
    t.after(() => Promise.all(stores.map((s) => s.close())));
    const [a, b] = stores.map((s) => new PgReviewStore(s.pool)) as [PgReviewStore, PgReviewStore];
    await a.putImprovement({ lensId: 'wa', questionId: 'q', owner: null, due: null, status: 'open', note: null, actionItems: [], createdAt: T0, updatedAt: T0 });
    // Each transaction appends one action item to the list it read.
    const append = (repo: PgReviewStore, item: string) =>
      repo.transaction(async (tx) => {
        const row = (await tx.listImprovements())[0]!;
        await new Promise((r) => setTimeout(r, 2)); // a gap in which the other replica would interleave
        await tx.putImprovement({ ...row, actionItems: [...row.actionItems, item], updatedAt: row.updatedAt + 1 });
      });
    await Promise.all(Array.from({ length: 10 }, (_, i) => append(i % 2 ? a : b, `jira:OPS-${i}`)));
    const row = (await b.listImprovements())[0]!;
    assert.equal(row.actionItems.length, 10);
    assert.equal(new Set(row.actionItems).size, 10);
    assert.equal(row.updatedAt, T0 + 10);
  });
});
