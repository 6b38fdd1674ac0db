import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { findPostgresBin, requirePostgres } from './support/postgres.js';

test('the harness picks the newest /usr/lib/postgresql/N/bin that holds initdb and postgres', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-pgbin-'));
  try {
    const make = (v: string, files: string[]) => {
      fs.mkdirSync(path.join(root, v, 'bin'), { recursive: true });
      for (const f of files) fs.writeFileSync(path.join(root, v, 'bin', f), '');
    };
    assert.equal(findPostgresBin(root), undefined, 'none installed');
    make('9.6', ['initdb', 'postgres']);
    make('15', ['initdb', 'postgres']);
    make('16', ['postgres']); // a half-removed newer version is not usable
    make('notes', ['initdb', 'postgres']);
    assert.equal(findPostgresBin(root), path.join(root, '15', 'bin'));
    make('17', ['initdb', 'postgres']);
    assert.equal(findPostgresBin(root), path.join(root, '17', 'bin'), '17 sorts above 9.6 and 15 as a number');
    assert.equal(findPostgresBin(path.join(root, 'missing')), undefined);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('without PostgreSQL the suites skip with the package to install, and under CI=true they fail instead', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-nopg-'));
  const ci = process.env['CI'];
  try {
    process.env['CI'] = 'false';
    assert.match(String(requirePostgres(empty)), /^skipped: .*apt-get install postgresql/);
    process.env['CI'] = 'true';
    assert.throws(() => requirePostgres(empty), /CI=true requires it/);
    fs.mkdirSync(path.join(empty, '15', 'bin'), { recursive: true });
    for (const f of ['initdb', 'postgres']) fs.writeFileSync(path.join(empty, '15', 'bin', f), '');
    assert.equal(requirePostgres(empty), false, 'installed: nothing is skipped, also under CI');
  } finally {
    if (ci === undefined) delete process.env['CI'];
    else process.env['CI'] = ci;
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
