import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { tempDir, waitFor } from './support/tmp.js';
import { freePort } from './support/real-binaries.js';
import { checkedFetch } from './support/api-request.js';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'server', 'cli.ts');
const baseEnv: NodeJS.ProcessEnv = { ...process.env, PILLARBOARD_LOG_LEVEL: 'info', NODE_ENV: 'test' };

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    encoding: 'utf8',
    env: { ...baseEnv, ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HOST_ONLY = `workload: { id: cli-test, title: "CLI test" }
collectors:
  - id: host
    type: host
    interval: 60s
`;

test('--help lists every command and exits 0; each command has its own --help', () => {
  const r = cli(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['serve', 'check', 'collect', 'migrate', 'backup']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  const serve = cli(['serve', '--help']);
  assert.equal(serve.code, 0);
  assert.match(serve.stdout, /--config <file>/);
  assert.match(serve.stdout, /--port <n>/);
  assert.match(cli(['collect', '--help']).stdout, /--once/);
});

test('an unknown command or option exits 2', () => {
  assert.equal(cli(['bogus']).code, 2);
  assert.equal(cli(['check']).code, 2, 'missing argument');
  assert.equal(cli(['serve', '--nope']).code, 2);
});

test('check accepts the bundled example workload', () => {
  const r = cli(['check', path.join(ROOT, 'examples', 'workload.yaml')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /OK/);
});

test('check prints every problem as file:line:column and exits 2', () => {
  const dir = tempDir();
  const file = path.join(dir, 'bad.yaml');
  fs.writeFileSync(
    file,
    ['workload: { id: bad, title: Bad }', 'collectors:', '  - id: a', '    type: host', '    interval: 5x', '  - id: a', '    type: warp'].join('\n'),
  );
  const r = cli(['check', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:5:15: collectors\\[0\\]\\.interval: .*5x`));
  assert.match(r.stderr, /:6:9: collectors\[1\]\.id: duplicate collector id "a"/);
  assert.match(r.stderr, /:7:11: collectors\[1\]\.type: unknown collector type "warp"/);
});

test('check reports a missing file with exit 2', () => {
  const r = cli(['check', '/nonexistent/workload.yaml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nonexistent\/workload\.yaml/);
});

test('collect --once stores the runs, prints a table and exits 1 when one failed', () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  const db = path.join(dir, 'pb.db');
  fs.writeFileSync(
    config,
    HOST_ONLY + `  - id: prom\n    type: prometheus\n    url: http://127.0.0.1:9\n    queries: { up: up }\n`,
  );
  const r = cli(['collect', '--once', '--config', config, '--db', db]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^COLLECTOR\s+TYPE\s+RESULT\s+DURATION\s+SAMPLES\s+ERROR$/);
  assert.match(r.stdout, /^host\s+host\s+ok\s+\d+\.\d+s\s+[1-9]\d*/m);
  assert.match(r.stdout, /^prom\s+prometheus\s+FAILED\s+.*127\.0\.0\.1:9/m);
  const conn = new Database(db, { readonly: true });
  const runs = conn.prepare('SELECT collector_id, ok FROM collector_runs ORDER BY collector_id').all();
  conn.close();
  assert.deepEqual(runs, [
    { collector_id: 'host', ok: 1 },
    { collector_id: 'prom', ok: 0 },
  ]);

  const one = cli(['collect', '--once', '--collector', 'host', '--config', config, '--db', db]);
  assert.equal(one.code, 0, one.stderr);
  assert.doesNotMatch(one.stdout, /^prom/m);
  const unknown = cli(['collect', '--once', '--collector', 'nope', '--config', config, '--db', db]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no collector "nope"/);
});

test('migrate applies the migrations once, then reports the database up to date', () => {
  const db = path.join(tempDir(), 'sub', 'pb.db');
  const first = cli(['migrate', '--db', db]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /applied 0001_/);
  const again = cli(['migrate', '--db', db]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /up to date/);
});

test('backup writes a consistent copy and refuses to overwrite without --force', () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  const db = path.join(dir, 'pb.db');
  fs.writeFileSync(config, HOST_ONLY);
  assert.equal(cli(['collect', '--once', '--config', config, '--db', db]).code, 0);
  const dest = path.join(dir, 'copy.db');
  const r = cli(['backup', dest, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const copy = new Database(dest, { readonly: true });
  assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
  // Recent samples live in samples_head until compaction moves them into chunks (docs/store.md).
  const n = copy.prepare('SELECT (SELECT coalesce(sum(count), 0) FROM sample_chunks) + (SELECT count(*) FROM samples_head) AS n').get() as { n: number };
  copy.close();
  assert.ok(n.n > 0);
  assert.equal(cli(['backup', dest, '--db', db]).code, 2);
  assert.equal(cli(['backup', dest, '--db', db, '--force']).code, 0);
  assert.equal(cli(['backup', path.join(dir, 'x.db'), '--db', path.join(dir, 'missing.db')]).code, 2);
});

function startServe(args: string[], env: Record<string, string>): { child: ChildProcess; log: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args], {
    env: { ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, log: () => out };
}

test('serve answers, reloads on SIGHUP, refuses an invalid edit, and exits 0 on SIGTERM', async () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  fs.writeFileSync(config, HOST_ONLY);
  const port = await freePort();
  const { child, log } = startServe(['--config', config, '--db', path.join(dir, 'pb.db'), '--host', '127.0.0.1'], {
    PORT: String(port),
    PILLARBOARD_WATCH: 'false',
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.ok === true, 30_000, 'server ready');
    const title = async () => ((await (await checkedFetch(`${base}/api/workload`)).json()) as any).workload.workload.title;
    assert.equal(await title(), 'CLI test');

    fs.writeFileSync(config, HOST_ONLY.replace('CLI test', 'CLI test v2'));
    child.kill('SIGHUP');
    await waitFor(async () => (await title()) === 'CLI test v2', 10_000, 'reload applied');

    fs.writeFileSync(config, HOST_ONLY.replace('interval: 60s', 'interval: soon'));
    child.kill('SIGHUP');
    await waitFor(() => /interval/.test(log().split('CLI test v2').pop() ?? ''), 10_000, 'refusal logged');
    assert.match(log(), /w\.yaml:5:15: collectors\[0\]\.interval/);
    assert.equal(await title(), 'CLI test v2', 'the last good workload keeps running');
    const versions = ((await (await checkedFetch(`${base}/api/workload/versions`)).json()) as any).versions;
    assert.equal(versions.length, 2);
    // Series reads run on serve's read worker threads; they must not keep it from exiting 0 below.
    const listed = await fetch(`${base}/api/series?match={collector="host"}`);
    assert.equal(listed.status, 200);
    assert.ok(Array.isArray(((await listed.json()) as any).series));
    const queried = await fetch(`${base}/api/series/query?match={collector="host"}&limit=1000&from=now-10m`);
    assert.equal(queried.status, 200, await queried.clone().text());
    assert.equal(((await queried.json()) as any).stepSeconds > 0, true);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, log());
  assert.match(log(), /shutting down/);
});

test('serve on a port another process listens on exits 1 with a one-line message naming the port', async () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  fs.writeFileSync(config, HOST_ONLY);
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as net.AddressInfo).port;
  try {
    const { child, log } = startServe(['--config', config, '--db', path.join(dir, 'pb.db'), '--host', '127.0.0.1', '--port', String(port)], {
      PILLARBOARD_WATCH: 'false',
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    clearTimeout(killer);
    assert.equal(code, 1, log());
    const message = log().split('\n').filter((l) => l.startsWith('pillarboard: '));
    assert.equal(message.length, 1, log());
    assert.match(message[0]!, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: port ${port} is already in use.*--port`));
    assert.doesNotMatch(log(), /pillarboard listening/);
  } finally {
    busy.close();
  }
});

test('commands that need a database refuse a missing one with exit 2, naming the path and --db, and create nothing', () => {
  const dir = tempDir();
  const missing = path.join(dir, 'nowhere', 'pb.db');
  const runs: Array<[string, string[]]> = [
    ['token list', ['token', 'list', '--db', missing]],
    ['token create', ['token', 'create', '--name', 'ci', '--scope', 'write', '--db', missing]],
    ['event add', ['event', 'add', '--kind', 'gameday', '--id', 'gd-1', '--db', missing]],
    ['review show', ['review', 'show', '--db', missing]],
    ['lens list', ['lens', 'list', '--db', missing]],
    ['backup', ['backup', path.join(dir, 'copy.db'), '--db', missing]],
  ];
  for (const [name, args] of runs) {
    const r = cli(args);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`no database at ${missing}`), `${name}: ${r.stderr}`);
    assert.match(r.stderr, /--db FILE or PILLARBOARD_DB/, name);
  }
  // The default path, from another directory: named absolutely and as given.
  const tsxLoader = new URL(JSON.parse(fs.readFileSync(require.resolve('tsx/package.json'), 'utf8')).exports['.'], pathToFileURL(require.resolve('tsx/package.json'))).href;
  const { PILLARBOARD_DB: _unset, ...env } = baseEnv;
  const fromElsewhere = spawnSync(process.execPath, ['--import', tsxLoader, CLI, 'token', 'list'], { encoding: 'utf8', cwd: dir, env, timeout: 60_000 });
  assert.equal(fromElsewhere.status, 2, fromElsewhere.stderr);
  assert.ok(fromElsewhere.stderr.includes(`no database at ${path.join(dir, 'data', 'pillarboard.db')} (data/pillarboard.db from ${dir})`), fromElsewhere.stderr);
  assert.deepEqual(fs.readdirSync(dir), [], 'nothing was created');
});

test('serve with an invalid workload exits 2 naming the problem', () => {
  const dir = tempDir();
  const config = path.join(dir, 'w.yaml');
  fs.writeFileSync(config, 'workload: [');
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', config, '--db', path.join(dir, 'pb.db'), '--port', '0'], {
    encoding: 'utf8',
    env: baseEnv,
    timeout: 30_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /w\.yaml:1:\d+/);
});

test('a postgres:// URL as --db or PILLARBOARD_DB is refused in one line, without the password and without creating a file named like it', () => {
  const dir = tempDir();
  const viaFlag = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'serve', '--db', 'postgres://pillar:s3cret@127.0.0.1:5432/pb', '--port', '0'], {
    encoding: 'utf8', env: baseEnv, cwd: ROOT, timeout: 60_000,
  });
  assert.equal(viaFlag.status, 2);
  assert.match(viaFlag.stderr, /^pillarboard: invalid setting: db \(--db\): a postgres:\/\/ URL; this release runs serve and the other commands on a SQLite file only/m);
  assert.doesNotMatch(viaFlag.stderr, /s3cret/);
  const viaEnv = cli(['token', 'list'], { PILLARBOARD_DB: `postgresql://pillar:s3cret@${dir.replace(/^\//, '')}/pb` });
  assert.equal(viaEnv.code, 2);
  assert.match(viaEnv.stderr, /db \(PILLARBOARD_DB\): a postgres:\/\/ URL/);
  assert.equal(fs.existsSync(path.join(ROOT, 'postgres:')), false);
  assert.equal(fs.existsSync(path.join(ROOT, 'postgresql:')), false);
});
