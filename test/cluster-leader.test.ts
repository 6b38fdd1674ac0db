/**
 * Leader election on PostgreSQL (issue 14 item 2): replicas on one real database, one leader
 * at a time; a leader killed with SIGKILL, a leader whose session the server ends, a leader
 * stopping cleanly, and a server restart under running electors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LeaderElection } from '../server/cluster/leader.js';
import { systemClock } from '../server/clock.js';
import { parsePgUrl } from '../server/store/pg/connection.js';
import { requirePostgres, startPostgres, type PostgresServer } from './support/postgres.js';
import pg from 'pg';

const INTERVAL = 300;

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await cond()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('leader election on PostgreSQL', { skip: requirePostgres() }, () => {
  let server: PostgresServer;
  let url: string;
  const electors: LeaderElection[] = [];
  const elector = (replicaId: string) => {
    const e = new LeaderElection({ connection: parsePgUrl(url).pool, clock: systemClock, replicaId, intervalMs: INTERVAL });
    electors.push(e);
    return e;
  };
  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
  });
  after(async () => {
    await Promise.all(electors.map((e) => e.stop()));
    await server.stop();
  });

  test('of three replicas exactly one leads, and every one names it', async () => {
    const es = [elector('a'), elector('b'), elector('c')];
    for (const e of es) await e.start();
    await new Promise((r) => setTimeout(r, 3 * INTERVAL));
    assert.equal(es.filter((e) => e.isLeader).length, 1);
    const leader = es.find((e) => e.isLeader)!;
    for (const e of es) assert.equal((await e.currentLeader())?.replicaId, leader.replicaId);
    const changes: boolean[] = [];
    const next = es.find((e) => !e.isLeader)!;
    next.on('change', (v) => changes.push(v));
    // a clean stop hands over at the next try of another replica
    await leader.stop();
    await until('another leader', () => es.filter((e) => e.isLeader).length === 1, 5 * INTERVAL);
    assert.equal(es.filter((e) => e.isLeader).length, 1);
    await Promise.all(es.map((e) => e.stop()));
  });

  test('a leader killed with SIGKILL is replaced within 15 s', { timeout: 60_000 }, async (t) => {
    const child = spawn(
      process.execPath,
      [
        '--import', 'tsx', '-e',
        `const { LeaderElection } = require(${JSON.stringify(path.resolve(__dirname, '../server/cluster/leader.ts'))});
         const { parsePgUrl } = require(${JSON.stringify(path.resolve(__dirname, '../server/store/pg/connection.ts'))});
         const e = new LeaderElection({ connection: parsePgUrl(process.env.URL).pool, clock: require(${JSON.stringify(path.resolve(__dirname, '../server/clock.ts'))}).systemClock, replicaId: 'doomed', intervalMs: ${INTERVAL} });
         e.on('change', (v) => { if (v) console.log('LEADING'); });
         e.start();
         setInterval(() => {}, 1000);`,
      ],
      { env: { ...process.env, URL: url }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('LEADING')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`the child exited (${code}) before leading`)));
      });
      const survivor = elector('survivor');
      await survivor.start();
      await new Promise((r) => setTimeout(r, 2 * INTERVAL));
      assert.equal(survivor.isLeader, false, 'the child leads, so the survivor does not');
      assert.equal((await survivor.currentLeader())?.replicaId, 'doomed');
      child.kill('SIGKILL');
      const took = await until('the survivor to lead', () => survivor.isLeader, 15_000);
      assert.ok(took < 15_000);
      t.diagnostic(`the survivor led ${took} ms after the SIGKILL (tries every ${INTERVAL} ms)`);
      assert.equal((await survivor.currentLeader())?.replicaId, 'survivor');
      await survivor.stop();
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a leader whose session the server ends steps down at its next check, and one leader follows', async () => {
    const a = elector('ended');
    await a.start();
    assert.equal(a.isLeader, true);
    const b = elector('other');
    await b.start();
    const lost = new Promise<void>((resolve) => a.once('change', (v) => !v && resolve()));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pillarboard ended'");
    } finally {
      await admin.end();
    }
    await lost;
    await until('a new leader', () => a.isLeader !== b.isLeader, 10 * INTERVAL);
    await a.stop();
    await b.stop();
  });

  test('PostgreSQL restarted under two replicas: nothing throws, and afterwards exactly one leads', { timeout: 60_000 }, async () => {
    const a = elector('r1');
    const b = elector('r2');
    await a.start();
    await b.start();
    assert.equal(Number(a.isLeader) + Number(b.isLeader), 1);
    const seen: string[] = [];
    a.on('change', (v) => seen.push(`r1:${v}`));
    b.on('change', (v) => seen.push(`r2:${v}`));
    await server.restart();
    await until('one leader again', () => Number(a.isLeader) + Number(b.isLeader) === 1 && seen.length >= 2, 20_000);
    assert.ok(seen.some((s) => s.endsWith(':false')), `the old leader stepped down (${seen.join(', ')})`);
    await new Promise((r) => setTimeout(r, 3 * INTERVAL));
    assert.equal(Number(a.isLeader) + Number(b.isLeader), 1, 'still exactly one');
    await a.stop();
    await b.stop();
  });
});
