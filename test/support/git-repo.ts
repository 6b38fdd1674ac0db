import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Throwaway git repositories for the git collector's tests, built with the `git` command
 * in a temp directory with fixed identities and dates, so every sha-independent fact
 * (dates, line counts, which commit is in which tag) is known in advance.
 */
export class TestRepo {
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pillarboard-git-'));
    fs.mkdirSync(this.dir, { recursive: true });
    this.git(['init', '-q', '-b', 'main']);
    this.git(['config', 'user.email', 'test@example.com']);
    this.git(['config', 'user.name', 'Test']);
    this.git(['config', 'commit.gpgsign', 'false']);
    this.git(['config', 'tag.gpgsign', 'false']);
  }

  /** Runs git in the repository with author and committer dates set to `at` (ms) when given. */
  git(args: string[], at?: number): string {
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: this.dir };
    if (at !== undefined) {
      const date = `@${Math.floor(at / 1000)} +0000`;
      Object.assign(env, { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    }
    return execFileSync('git', ['-C', this.dir, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Writes `lines` lines to `file` (replacing it) and commits at `at`; returns the sha. */
  commit(file: string, lines: number, message: string, at: number): string {
    fs.writeFileSync(path.join(this.dir, file), Array.from({ length: lines }, (_, i) => `line ${i + 1}\n`).join(''));
    this.git(['add', file]);
    this.git(['commit', '-q', '-m', message], at);
    return this.head();
  }

  /** Reverts `sha` (git writes "This reverts commit <sha>.") at `at`; returns the new sha. */
  revert(sha: string, at: number): string {
    this.git(['revert', '--no-edit', sha], at);
    return this.head();
  }

  /** A lightweight tag (deployed at its commit's date) or, with `at`, an annotated one dated `at`. */
  tag(name: string, at?: number, target = 'HEAD'): void {
    if (at === undefined) this.git(['tag', name, target]);
    else this.git(['tag', '-a', name, '-m', `release ${name}`, target], at);
  }

  head(): string {
    return this.git(['rev-parse', 'HEAD']).trim();
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A repository whose `git for-each-ref` and `rev-parse <branch>` never finish: its
 * packed-refs file is a FIFO nobody writes to, so git blocks opening it until killed.
 * It lets the contract suite abort a git run mid-way deterministically.
 */
export function hangingRepo(): TestRepo {
  const repo = new TestRepo();
  repo.commit('a.txt', 1, 'first', Date.UTC(2026, 0, 1));
  repo.tag('v1');
  repo.git(['pack-refs', '--all']);
  const packed = path.join(repo.dir, '.git', 'packed-refs');
  fs.rmSync(packed);
  execFileSync('mkfifo', [packed]);
  return repo;
}
