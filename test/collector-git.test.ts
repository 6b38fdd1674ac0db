import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { git } from '../collectors/git.js';
import type { CollectResult, OperationalEvent } from '../collectors/types.js';
import { silentLogger } from '../server/log.js';
import { hangingRepo, TestRepo } from './support/git-repo.js';

const NOW = new Date('2026-03-01T00:00:00Z');
const at = (iso: string) => Date.parse(iso);

function collect(raw: unknown, signal = AbortSignal.timeout(10_000)): Promise<CollectResult> {
  return git.collect(git.config.parse(raw), { signal, now: NOW, log: silentLogger, collectorId: 'repo' });
}

function byId(events: OperationalEvent[] | undefined, id: string): OperationalEvent {
  const e = events?.find((x) => x.externalId === id);
  assert.ok(e, `no event ${id} in ${JSON.stringify(events?.map((x) => x.externalId))}`);
  return e;
}

const commitsOf = (e: OperationalEvent) => (e.attrs!.commits as Array<{ sha: string; at: number }>);

describe('git collector on tags', () => {
  // a.txt 10 lines (c1) ── v0.1 (lightweight, 01-01)
  // b.txt 5 lines (c2, 02-01), a.txt 10 → 12 lines (c3, 02-02) ── v0.2 (annotated, 02-03)
  // c.txt 3 lines (c4, 02-10), revert of c4 (c5, 02-11) ── v0.3 (annotated, 02-12)
  // v0.4 (annotated, 02-20) on c3 again: a roll back to v0.2's code
  // release-x (annotated, 02-25) on c5: does not match v*
  const repo = new TestRepo();
  const sha: Record<string, string> = {};
  before(() => {
    sha.c1 = repo.commit('a.txt', 10, 'initial', at('2026-01-01T00:00:00Z'));
    repo.tag('v0.1');
    sha.c2 = repo.commit('b.txt', 5, 'add b', at('2026-02-01T00:00:00Z'));
    sha.c3 = repo.commit('a.txt', 12, 'grow a', at('2026-02-02T00:00:00Z'));
    repo.tag('v0.2', at('2026-02-03T00:00:00Z'));
    sha.c4 = repo.commit('c.txt', 3, 'add c', at('2026-02-10T00:00:00Z'));
    sha.c5 = repo.revert(sha.c4, at('2026-02-11T00:00:00Z'));
    repo.tag('v0.3', at('2026-02-12T00:00:00Z'));
    repo.tag('v0.4', at('2026-02-20T00:00:00Z'), sha.c3);
    repo.tag('release-x', at('2026-02-25T00:00:00Z'));
  });
  after(() => repo.remove());

  it('turns each matching tag into a production deployment at the tag date, with a stable external id', async () => {
    const r = await collect({ path: repo.dir, deploy: { tags: 'v*' }, service: 'shop' });
    assert.deepEqual(r.events?.map((e) => e.externalId), ['tag:v0.1', 'tag:v0.2', 'tag:v0.3', 'tag:v0.4']);
    const v2 = byId(r.events, 'tag:v0.2');
    assert.equal(v2.kind, 'deployment');
    assert.equal(v2.source, 'repo');
    assert.equal(v2.service, 'shop');
    assert.equal(v2.environment, 'production');
    assert.equal(v2.status, 'success');
    assert.equal(v2.startedAt, at('2026-02-03T00:00:00Z')); // annotated: the tagger date
    assert.equal(byId(r.events, 'tag:v0.1').startedAt, at('2026-01-01T00:00:00Z')); // lightweight: the commit date
    assert.equal(v2.attrs!.commit, sha.c3);
    assert.equal(v2.attrs!.trigger, undefined, 'a tag does not say who deployed');
  });

  it('lists the commits each tag shipped with their author dates, each commit in the first tag that reaches it', async () => {
    const r = await collect({ path: repo.dir, deploy: { tags: 'v*' } });
    assert.deepEqual(commitsOf(byId(r.events, 'tag:v0.1')), [{ sha: sha.c1, at: at('2026-01-01T00:00:00Z') }]);
    assert.deepEqual(commitsOf(byId(r.events, 'tag:v0.2')), [
      { sha: sha.c2, at: at('2026-02-01T00:00:00Z') },
      { sha: sha.c3, at: at('2026-02-02T00:00:00Z') },
    ]);
    assert.deepEqual(commitsOf(byId(r.events, 'tag:v0.3')).map((c) => c.sha), [sha.c4, sha.c5]);
    assert.deepEqual(commitsOf(byId(r.events, 'tag:v0.4')), [], 'v0.4 ships nothing new');
  });

  it('measures change size as lines added plus deleted since the previous tag, none for the first tag', async () => {
    const r = await collect({ path: repo.dir, deploy: { tags: 'v*' } });
    assert.equal(byId(r.events, 'tag:v0.1').attrs!.linesChanged, undefined);
    // v0.1..v0.2: b.txt +5, a.txt +2 (lines 11 and 12) = 7
    assert.equal(byId(r.events, 'tag:v0.2').attrs!.linesChanged, 7);
    // v0.2..v0.3: c.txt added and reverted, net nothing = 0
    assert.equal(byId(r.events, 'tag:v0.3').attrs!.linesChanged, 0);
    // v0.3..v0.4 (c5 → c3): the same tree = 0
    assert.equal(byId(r.events, 'tag:v0.4').attrs!.linesChanged, 0);
  });

  it('marks a tag that ships a revert as a rollback naming the reverted commit', async () => {
    const r = await collect({ path: repo.dir, deploy: { tags: 'v*' } });
    const v3 = byId(r.events, 'tag:v0.3');
    assert.equal(v3.attrs!.rollback, true);
    assert.equal(v3.attrs!.revertOf, sha.c4);
    assert.deepEqual(v3.attrs!.reverts, [sha.c4]);
    assert.equal(byId(r.events, 'tag:v0.2').attrs!.rollback, undefined);
  });

  it('marks a tag on a commit an earlier deployment shipped as a rollback without a reverted commit', async () => {
    const r = await collect({ path: repo.dir, deploy: { tags: 'v*' } });
    const v4 = byId(r.events, 'tag:v0.4');
    assert.equal(v4.attrs!.rollback, true);
    assert.equal(v4.attrs!.revertOf, undefined);
  });

  it('reads only tags inside since, diffing the first against the last tag before it', async () => {
    // since 40d before 03-01 is 01-20: v0.1 (01-01) is outside and becomes the base.
    const r = await collect({ path: repo.dir, deploy: { tags: 'v*' }, since: '40d' });
    assert.deepEqual(r.events?.map((e) => e.externalId), ['tag:v0.2', 'tag:v0.3', 'tag:v0.4']);
    assert.equal(byId(r.events, 'tag:v0.2').attrs!.linesChanged, 7);
    assert.deepEqual(commitsOf(byId(r.events, 'tag:v0.2')).map((c) => c.sha), [sha.c2, sha.c3]);
  });

  it('names the service after the repository directory by default and counts deployments, commits and reverts', async () => {
    const r = await collect({ path: repo.dir, deploy: { tags: 'v*' } });
    const service = path.basename(repo.dir);
    assert.equal(r.events![0]!.service, service);
    const value = (name: string) => r.samples.find((s) => s.name === name)?.value;
    assert.equal(value('git_deployments'), 4);
    assert.equal(value('git_deployment_commits'), 5); // c1 | c2 c3 | c4 c5 | —
    assert.equal(value('git_reverts'), 1);
    assert.equal(value('git_last_deployment_timestamp_seconds'), at('2026-02-20T00:00:00Z') / 1000);
    assert.deepEqual(r.samples.find((s) => s.name === 'git_deployments')!.labels, { service, environment: 'production' });
    assert.ok(r.samples.every((s) => s.ts === NOW.getTime()));
  });

  it('sends the same events on a second run, so the event store updates rather than adds', async () => {
    const a = await collect({ path: repo.dir, deploy: { tags: 'v*' } });
    const b = await collect({ path: repo.dir, deploy: { tags: 'v*' } });
    assert.deepEqual(b.events, a.events);
  });
});

describe('git collector on a branch', () => {
  // main: m1 (01-10, root) ─────────────── M merge (02-05) ── m2 (02-06)
  //              └─ feature: f1 (02-01, x.txt 4 lines), f2 (02-02, y.txt 6 lines) ┘
  const repo = new TestRepo();
  const sha: Record<string, string> = {};
  before(() => {
    sha.m1 = repo.commit('a.txt', 2, 'root', at('2026-01-10T00:00:00Z'));
    repo.git(['checkout', '-q', '-b', 'feature']);
    sha.f1 = repo.commit('x.txt', 4, 'x', at('2026-02-01T00:00:00Z'));
    sha.f2 = repo.commit('y.txt', 6, 'y', at('2026-02-02T00:00:00Z'));
    repo.git(['checkout', '-q', 'main']);
    repo.git(['merge', '-q', '--no-ff', '-m', 'Merge feature', 'feature'], at('2026-02-05T00:00:00Z'));
    sha.M = repo.head();
    sha.m2 = repo.commit('a.txt', 3, 'direct', at('2026-02-06T00:00:00Z'));
  });
  after(() => repo.remove());

  it('deploys every first-parent commit, a merge shipping the commits it brought in', async () => {
    const r = await collect({ path: repo.dir, deploy: { branch: 'main' } });
    assert.deepEqual(r.events?.map((e) => e.externalId), [`commit:${sha.m1}`, `merge:${sha.M}`, `commit:${sha.m2}`]);
    const merge = byId(r.events, `merge:${sha.M}`);
    assert.equal(merge.startedAt, at('2026-02-05T00:00:00Z')); // the committer date of the merge
    assert.deepEqual(commitsOf(merge).map((c) => c.sha), [sha.f1, sha.f2, sha.M]);
    // The merge's diff against main before it: x.txt +4, y.txt +6 = 10; m2: a.txt +1.
    assert.equal(merge.attrs!.linesChanged, 10);
    assert.equal(byId(r.events, `commit:${sha.m2}`).attrs!.linesChanged, 1);
    assert.equal(byId(r.events, `commit:${sha.m1}`).attrs!.linesChanged, undefined, 'a root commit has nothing to compare with');
  });

  it('with merges_only, deploys merges only and leaves commits after the last merge undeployed', async () => {
    const r = await collect({ path: repo.dir, deploy: { branch: 'main', merges_only: true }, since: '30d' });
    // since 30d before 03-01 is 01-30: m1 (01-10) is the base, so the merge ships f1, f2 and itself.
    assert.deepEqual(r.events?.map((e) => e.externalId), [`merge:${sha.M}`]);
    assert.deepEqual(commitsOf(r.events![0]!).map((c) => c.sha), [sha.f1, sha.f2, sha.M]);
    assert.equal(r.events![0]!.attrs!.linesChanged, 10);
  });

  it('fails naming a branch the repository does not have', async () => {
    await assert.rejects(collect({ path: repo.dir, deploy: { branch: 'release' } }), /branch release not found in .*\(check deploy\.branch\)/);
  });
});

describe('git collector failures', () => {
  it('fails with a clear message for a directory that is not a git repository', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-nogit-'));
    try {
      await assert.rejects(collect({ path: dir, deploy: { tags: 'v*' } }), (err: Error) => {
        assert.equal(err.message, `git collector: ${dir} is not a git repository (set path to a repository's working tree)`);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails naming a path that does not exist', async () => {
    const missing = path.join(os.tmpdir(), 'pillarboard-no-such-dir-4711');
    await assert.rejects(collect({ path: missing, deploy: { tags: 'v*' } }), new RegExp(`path ${missing} does not exist`));
  });

  it('reports an abort as an abort, not as a missing branch, when git hangs reading refs', async () => {
    const repo = hangingRepo();
    try {
      await assert.rejects(collect({ path: repo.dir, deploy: { branch: 'main' } }, AbortSignal.timeout(150)), /git collector aborted while reading/);
    } finally {
      repo.remove();
    }
  });

  it('rejects a since that is not a duration and a branch that looks like an option, naming the field', () => {
    const since = git.config.safeParse({ path: '.', deploy: { tags: 'v*' }, since: '90 days' });
    assert.equal(since.success, false);
    assert.deepEqual(since.error!.issues.map((i) => i.path.join('.')), ['since']);
    const branch = git.config.safeParse({ path: '.', deploy: { branch: '--output=/tmp/x' } });
    assert.equal(branch.success, false);
    assert.deepEqual(branch.error!.issues.map((i) => i.path.join('.')), ['deploy.branch']);
  });
});
