import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runLensImport, runLensList, runLensRemove } from '../server/commands/lens.js';
import { runReviewAnswer, runReviewMilestone } from '../server/commands/review.js';
import { openStore } from '../server/store/index.js';
import { silentLogger } from '../server/log.js';
import { tempDir } from './support/tmp.js';
import { captureIo } from './support/capture-io.js';
import { fullLens } from './review-support.js';

const dir = tempDir('pillarboard-lens-remove-');
const db = path.join(dir, 'pb.db');
openStore({ path: db, now: Date.now }).close(); // as `pillarboard migrate` leaves it: these commands refuse a missing database
const lensFile = path.join(dir, 'abc.json');
fs.writeFileSync(lensFile, JSON.stringify(fullLens(), null, 2));

const io = captureIo;

function lensIds(): string[] {
  const l = io();
  assert.equal(runLensList(db, l.io, silentLogger), 0);
  return l.out().split('\n').slice(1).filter(Boolean).map((line) => line.split(/\s+/)[0]!);
}

test('review answer needs --lens only when the question id is in several lenses, and then lists them', () => {
  assert.equal(runLensImport(db, lensFile, { id: 'abc' }, io().io, silentLogger), 0);
  const one = io();
  assert.equal(runReviewAnswer(db, 'abc_deploys', { choices: 'abc_deploys_small' }, one.io, silentLogger), 0, one.err());
  assert.match(one.out(), /^abc\/abc_deploys: /);

  assert.equal(runLensImport(db, lensFile, { id: 'abc-copy' }, io().io, silentLogger), 0);
  const ambiguous = io();
  assert.equal(runReviewAnswer(db, 'abc_deploys', { choices: 'abc_deploys_small' }, ambiguous.io, silentLogger), 2);
  assert.match(ambiguous.err(), /^pillarboard: lens: question "abc_deploys" is in several lenses \(abc, abc-copy\); say which with --lens\n$/);
  const chosen = io();
  assert.equal(runReviewAnswer(db, 'abc_deploys', { choices: 'abc_deploys_small', lens: 'abc-copy' }, chosen.io, silentLogger), 0, chosen.err());
  assert.match(chosen.out(), /^abc-copy\/abc_deploys: /);
  // A question of the built-in lens only is still answered without --lens.
  const builtin = io();
  assert.equal(runReviewAnswer(db, 'ops_health', { auto: true }, builtin.io, silentLogger), 0, builtin.err());
  assert.match(builtin.out(), /^wellarchitected\/ops_health: /);
});

test('lens remove refuses the built-in lens and an unknown id with exit 2, and keeps them', () => {
  const b = io();
  assert.equal(runLensRemove(db, 'wellarchitected', {}, b.io, silentLogger), 2);
  assert.match(b.err(), /"wellarchitected" is a built-in lens and cannot be removed/);
  const bf = io();
  assert.equal(runLensRemove(db, 'wellarchitected', { force: true }, bf.io, silentLogger), 2, 'not even with --force');
  const u = io();
  assert.equal(runLensRemove(db, 'nope', {}, u.io, silentLogger), 2);
  assert.match(u.err(), /no lens "nope"; lenses: wellarchitected, abc, abc-copy/);
  assert.deepEqual(lensIds(), ['wellarchitected', 'abc', 'abc-copy']);
});

test('lens remove refuses a lens with answers unless --force, which archives them; milestones keep the lens', () => {
  assert.equal(runReviewMilestone(db, 'before removal', io().io, silentLogger), 0);
  const refused = io();
  assert.equal(runLensRemove(db, 'abc-copy', {}, refused.io, silentLogger), 2);
  assert.match(refused.err(), /lens "abc-copy" has 1 answer\(s\); to remove it anyway, add --force: the answers are archived/);
  assert.deepEqual(lensIds(), ['wellarchitected', 'abc', 'abc-copy']);

  const forced = io();
  assert.equal(runLensRemove(db, 'abc-copy', { force: true }, forced.io, silentLogger), 0, forced.err());
  assert.equal(forced.out(), 'removed lens "abc-copy": 1 answer(s) archived, 0 improvement-plan item(s) deleted; milestones keep it\n');
  assert.deepEqual(lensIds(), ['wellarchitected', 'abc']);

  const store = openStore({ path: db, now: Date.now });
  try {
    const archived = store.db.prepare("SELECT question_id, reason FROM review_answers_archive WHERE lens_id = 'abc-copy'").all();
    assert.deepEqual(archived, [{ question_id: 'abc_deploys', reason: 'the lens was removed' }]);
    assert.equal(store.db.prepare("SELECT count(*) FROM review_answers WHERE lens_id = 'abc-copy'").pluck().get(), 0);
    const snapshot = JSON.parse(store.db.prepare("SELECT snapshot FROM review_milestones WHERE name = 'before removal'").pluck().get() as string);
    assert.ok(snapshot.lenses.some((l: { id: string }) => l.id === 'abc-copy'), 'the milestone still holds the removed lens');
  } finally {
    store.close();
  }

  // With one lens left having the question, --lens is no longer needed.
  const again = io();
  assert.equal(runReviewAnswer(db, 'abc_deploys', { choices: 'abc_deploys_small' }, again.io, silentLogger), 0, again.err());
  assert.match(again.out(), /^abc\/abc_deploys: /);

  // A lens nobody answered goes without --force.
  assert.equal(runLensImport(db, lensFile, { id: 'unused' }, io().io, silentLogger), 0);
  const plain = io();
  assert.equal(runLensRemove(db, 'unused', {}, plain.io, silentLogger), 0, plain.err());
  assert.match(plain.out(), /^removed lens "unused": 0 answer\(s\) archived/);
});

test('pillarboard lens remove through the command line: the built-in lens exits 2, a lens with answers needs --force', () => {
  const cli = path.join(__dirname, '..', 'server', 'cli.ts');
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, 'lens', 'remove', ...args, '--db', db], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PILLARBOARD_LOG_LEVEL: 'warn' } });
  const builtin = run('wellarchitected');
  assert.equal(builtin.status, 2);
  assert.match(builtin.stderr, /"wellarchitected" is a built-in lens and cannot be removed/);
  assert.equal(runLensImport(db, lensFile, { id: 'cli-copy' }, io().io, silentLogger), 0);
  assert.equal(runReviewAnswer(db, 'abc_privacy', { na: 'other', lens: 'cli-copy' }, io().io, silentLogger), 0);
  const refused = run('cli-copy');
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /add --force/);
  const forced = run('cli-copy', '--force');
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stdout, /^removed lens "cli-copy": 1 answer\(s\) archived/);
});
