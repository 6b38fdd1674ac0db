import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { z } from 'zod';
import { byShape } from './config-schemas.js';
import type { CollectorDefinition, OperationalEvent, Sample } from './types.js';

/**
 * `git`: deployments read from a local repository with the `git` command, for DORA and
 * the "small, reversible changes" series (docs/dora.md).
 *
 * A deployment is either a tag matching `deploy.tags` (deployed at the tag's date: the
 * tagger date of an annotated tag, the commit date of a lightweight one) or a commit on
 * the first-parent line of `deploy.branch` (deployed at its committer date; with
 * `merges_only`, merge commits only). Each deployment event carries:
 *   attrs.commit       the deployed commit
 *   attrs.commits      [{ sha, at }]: the commits it shipped — reachable from it and from no
 *                      earlier deployment — with their author dates (ms), for lead time
 *   attrs.linesChanged lines added + deleted since the previous deployment (tags: the diff
 *                      between the two tags; branch: the first-parent diffs of the branch
 *                      commits it covers); absent for a repository's very first deployment
 *   attrs.rollback     true when it ships a revert ("This reverts commit <sha>"), with
 *                      attrs.revertOf (the first reverted sha) and attrs.reverts (all), or
 *                      when a tag points at a commit an earlier deployment had already shipped
 *                      (a roll back to an older version)
 * `trigger` is left unset on purpose: a tag or a merge says nothing about whether a pipeline
 * or a person deployed it, and guessing would flatter the "operations as code" ratio.
 *
 * Idempotent: external ids are `tag:<name>`, `merge:<sha>` or `commit:<sha>`, so each run
 * re-sends the deployments of the last `since` and the event store updates them in place.
 *
 * Samples (over `since`): git_deployments{service,environment}, git_deployment_commits{service},
 * git_reverts{service}, git_last_deployment_timestamp_seconds{service,environment}.
 *
 * Failure contract: a path that does not exist or is not a git working tree, a missing
 * branch, a missing `git` command and an abort all fail the run with a message naming the
 * path; nothing is partial. A history longer than `max_commits` is cut (a warning says so).
 */

const DAY_MS = 86_400_000;
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
/** `git log -z` with these fields: NUL between fields and after each record. */
const LOG_FIELDS = 4;
const LOG_FORMAT = '--format=%H%x00%at%x00%P%x00%B';
const REVERT = /This reverts commit ([0-9a-f]{7,64})/g;

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const DURATION_UNITS = [365 * DAY_MS, 7 * DAY_MS, DAY_MS, 3_600_000, 60_000, 1000];

/** Prometheus-style duration (`90d`, `2w`, `1y`) in ms, as the rest of the workload file writes them. */
const durationText = z.string().transform((text, ctx) => {
  const m = DURATION.exec(text);
  if (!m || text === '') {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; expected e.g. 30d, 2w or 1y` });
    return z.NEVER;
  }
  const ms = DURATION_UNITS.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * unit, 0);
  if (ms <= 0) {
    ctx.addIssue({ code: 'custom', message: 'must be longer than 0' });
    return z.NEVER;
  }
  return ms;
});

/** A revision argument git must never read as an option, and no whitespace or control characters. */
const refText = z
  .string()
  .min(1)
  .refine((s) => !s.startsWith('-') && !/[\s\x00-\x1f\x7f]/.test(s), { error: 'must not start with "-" or contain spaces or control characters' });

const tagsDeploy = z.strictObject({
  tags: refText.describe('Glob over tag names, e.g. "v*": each matching tag is one deployment.'),
});
const branchDeploy = z.strictObject({
  branch: refText.describe('Branch (or any ref, e.g. HEAD) whose first-parent commits are deployments.'),
  merges_only: z.boolean().default(false).describe('Only merge commits are deployments (the commits between merges ship with the next merge).'),
});

export const gitConfig = z.strictObject({
  /** Working tree of the repository; relative paths are resolved against Pillarboard's working directory. */
  path: z.string().min(1).describe("Repository working tree; relative to Pillarboard's working directory."),
  deploy: byShape(
    (v) => typeof v === 'object' && v !== null && 'branch' in v,
    branchDeploy,
    tagsDeploy,
  ).describe('{ tags: "v*" } or { branch: main, merges_only?: false }: what counts as a deployment.'),
  service: z.string().min(1).optional().describe("Service the deployments belong to (default: the repository directory's name)."),
  environment: z.string().min(1).default('production').describe('Environment the deployments went to.'),
  since: durationText.default(90 * DAY_MS).describe('How far back deployments are read, e.g. 90d.'),
  max_commits: z.number().int().min(1).max(1_000_000).default(10_000).describe('Most commits read in one run; older history is cut.'),
});

export type GitConfig = z.output<typeof gitConfig>;

export const git: CollectorDefinition<GitConfig> = {
  type: 'git',
  description: 'Deployments (tags or merges into a branch) from a local git repository: the commits each shipped, lead time, change size, reverts.',
  defaultInterval: '5m',
  config: gitConfig,
  async collect(config, ctx) {
    const repo = await openRepository(config.path, ctx.signal);
    const service = config.service ?? nodePath.basename(repo.top);
    const now = ctx.now.getTime();
    const from = now - config.since;

    const points = 'tags' in config.deploy
      ? await tagPoints(repo, config.deploy.tags, from)
      : await branchPoints(repo, config.deploy.branch, config.deploy.merges_only, from, config.max_commits);

    const warnings: string[] = [];
    const commits = points.deployments.length === 0
      ? new Map<string, CommitInfo>()
      : await readCommits(repo, points, config.max_commits);
    if (commits.size >= config.max_commits) {
      warnings.push(`${repo.top}: history cut at max_commits (${config.max_commits}); the oldest deployments may miss commits`);
    }
    const sizes = await changeSizes(repo, points);
    const complete = commits.size < config.max_commits;
    const deployed = buildEvents(points, commits, sizes, complete, { service, environment: config.environment, source: ctx.collectorId });

    const ts = now;
    const shipped = deployed.reduce((n, e) => n + ((e.attrs?.commits as unknown[]) ?? []).length, 0);
    const reverts = deployed.reduce((n, e) => n + ((e.attrs?.reverts as unknown[] | undefined) ?? []).length, 0);
    const samples: Sample[] = [
      { name: 'git_deployments', labels: { service, environment: config.environment }, ts, value: deployed.length },
      { name: 'git_deployment_commits', labels: { service }, ts, value: shipped },
      { name: 'git_reverts', labels: { service }, ts, value: reverts },
    ];
    const last = deployed.at(-1);
    if (last) {
      samples.push({ name: 'git_last_deployment_timestamp_seconds', labels: { service, environment: config.environment }, ts, value: last.startedAt / 1000 });
    }
    return { samples, events: deployed, warnings };
  },
};

interface Repo {
  top: string;
  signal: AbortSignal;
  run(args: string[]): Promise<string>;
}

interface DeployPoint {
  externalId: string;
  commit: string;
  at: number;
  title: string;
  /** The tag name, for tag deployments. */
  ref?: string;
}

interface Points {
  /** Oldest first. */
  deployments: DeployPoint[];
  /** The last deployment before the window: its history is excluded, its commit is the first diff base. */
  base?: DeployPoint;
  /** Revisions to walk for the commits (tips); `^base` is added. */
  tips: string[];
  /** Branch mode: lines changed per first-parent commit are read from one log. */
  firstParent: boolean;
}

interface CommitInfo {
  sha: string;
  at: number;
  parents: string[];
  reverts: string[];
}

async function openRepository(path: string, signal: AbortSignal): Promise<Repo> {
  const abs = nodePath.resolve(path);
  try {
    const s = await stat(abs);
    if (!s.isDirectory()) throw new Error(`git collector: ${abs} is not a directory (check path)`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`git collector: path ${abs} does not exist (relative paths are read from Pillarboard's working directory)`);
    }
    throw err;
  }
  const run = (args: string[]) => runGit(abs, args, signal);
  let top: string;
  try {
    top = (await run(['rev-parse', '--show-toplevel'])).trim();
  } catch (err) {
    const msg = (err as Error).message;
    if (/not a git repository/i.test(msg)) {
      throw new Error(`git collector: ${abs} is not a git repository (set path to a repository's working tree)`);
    }
    throw err;
  }
  return { top, signal, run: (args) => runGit(top, args, signal) };
}

function runGit(cwd: string, args: string[], signal: AbortSignal): Promise<string> {
  const argv = ['--no-pager', '-C', cwd, '-c', 'core.quotepath=on', '-c', 'log.showSignature=false', '-c', 'color.ui=never', ...args];
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(cwd, signal));
      return;
    }
    execFile('git', argv, { signal, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8', windowsHide: true }, (err, stdout, stderr) => {
      if (!err) {
        resolve(stdout);
        return;
      }
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      if (signal.aborted) reject(abortError(cwd, signal));
      else if (e.code === 'ENOENT') reject(new Error('git collector: the git command was not found; install git and make sure it is on PATH'));
      else if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
        reject(new Error(`git collector: git ${args[0]} in ${cwd} printed more than ${MAX_OUTPUT_BYTES >> 20} MiB; lower since or max_commits`));
      } else {
        const why = stderr.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? e.message;
        reject(new Error(`git collector: git ${args[0]} failed in ${cwd}: ${why}`));
      }
    });
  });
}

function abortError(cwd: string, signal: AbortSignal): Error {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  return new Error(`git collector aborted while reading ${cwd} (${reason})`, { cause: signal.reason });
}

async function tagPoints(repo: Repo, glob: string, from: number): Promise<Points> {
  const out = await repo.run([
    'for-each-ref',
    '--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(creatordate:unix)',
    `refs/tags/${glob}`,
  ]);
  const all: DeployPoint[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [name, type, sha, peeledType, peeled, date] = line.split('\0');
    const commit = type === 'commit' ? sha : type === 'tag' && peeledType === 'commit' ? peeled : undefined;
    const at = Number(date) * 1000;
    if (!name || !commit || !Number.isFinite(at)) continue; // a tag of a tree or blob deploys nothing
    all.push({ externalId: `tag:${name}`, commit, at, title: name, ref: name });
  }
  all.sort((a, b) => a.at - b.at || (a.ref! < b.ref! ? -1 : 1));
  const deployments = all.filter((p) => p.at > from);
  const base = all.filter((p) => p.at <= from).at(-1);
  return { deployments, base, tips: deployments.map((d) => d.commit), firstParent: false };
}

async function branchPoints(repo: Repo, branch: string, mergesOnly: boolean, from: number, maxCommits: number): Promise<Points> {
  let tip: string;
  try {
    tip = (await repo.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${branch}^{commit}`])).trim();
  } catch (err) {
    if (repo.signal.aborted) throw err;
    throw new Error(`git collector: branch ${branch} not found in ${repo.top} (check deploy.branch)`);
  }
  const out = await repo.run(['log', '-z', '--first-parent', `--max-count=${maxCommits}`, '--format=%H%x00%ct%x00%P%x00%s', tip]);
  const line: DeployPoint[] = [];
  let base: DeployPoint | undefined;
  for (const rec of records(out, 4)) {
    const [sha, ct, parents, subject] = rec as [string, string, string, string];
    const parentList = parents === '' ? [] : parents.split(' ');
    const point: DeployPoint = {
      externalId: `${parentList.length > 1 ? 'merge' : 'commit'}:${sha}`,
      commit: sha,
      at: Number(ct) * 1000,
      title: subject,
    };
    // Newest first; the first commit at or before `from` ends the window and is the base.
    if (point.at <= from) {
      base = point;
      break;
    }
    if (!mergesOnly || parentList.length > 1) line.push(point);
  }
  line.reverse();
  return { deployments: line, base, tips: [tip], firstParent: true };
}

/** Splits `git log -z` output of `n` fields per record. */
function* records(out: string, n: number): Generator<string[]> {
  const parts = out.split('\0');
  for (let i = 0; i + n <= parts.length; i += n) {
    yield parts.slice(i, i + n);
  }
}

async function readCommits(repo: Repo, points: Points, maxCommits: number): Promise<Map<string, CommitInfo>> {
  const revs = [...new Set(points.tips)];
  if (points.base) revs.push(`^${points.base.commit}`);
  const out = await repo.run(['log', '-z', LOG_FORMAT, `--max-count=${maxCommits}`, '--end-of-options', ...revs]);
  const commits = new Map<string, CommitInfo>();
  for (const rec of records(out, LOG_FIELDS)) {
    const [sha, at, parents, body] = rec as [string, string, string, string];
    const reverts = [...body.matchAll(REVERT)].map((m) => m[1]!);
    commits.set(sha, { sha, at: Number(at) * 1000, parents: parents === '' ? [] : parents.split(' '), reverts });
  }
  return commits;
}

/** Lines added + deleted per deployment (by externalId); binary files count 0. */
async function changeSizes(repo: Repo, points: Points): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (points.deployments.length === 0) return sizes;
  if (points.firstParent) {
    // One log: each first-parent commit's diff against its first parent (merges included);
    // a deployment covers the first-parent commits since the previous one (merges_only).
    const revs = [points.deployments.at(-1)!.commit];
    if (points.base) revs.push(`^${points.base.commit}`);
    const out = await repo.run(['log', '--first-parent', '-m', '--numstat', '--format=%x01%H %P', '--end-of-options', ...revs]);
    const chain: Array<{ sha: string; lines?: number }> = []; // newest first
    for (const line of out.split('\n')) {
      if (line.startsWith('\x01')) {
        const [sha, firstParent] = line.slice(1).split(' ');
        chain.push({ sha: sha!, lines: firstParent ? 0 : undefined }); // a root commit has nothing to compare with
      } else if (line !== '' && chain.length > 0 && chain.at(-1)!.lines !== undefined) {
        chain.at(-1)!.lines! += numstatLines(line);
      }
    }
    const deployed = new Map(points.deployments.map((d) => [d.commit, d.externalId]));
    let pending: number | undefined = 0;
    for (const c of chain.reverse()) {
      pending = pending === undefined || c.lines === undefined ? undefined : pending + c.lines;
      const id = deployed.get(c.sha);
      if (id === undefined) continue;
      if (pending !== undefined) sizes.set(id, pending);
      pending = 0;
    }
    return sizes;
  }
  let prev = points.base;
  for (const d of points.deployments) {
    if (prev && prev.commit !== d.commit) {
      const out = await repo.run(['diff', '--numstat', '--end-of-options', prev.commit, d.commit]);
      sizes.set(d.externalId, out.split('\n').reduce((n, l) => n + (l === '' ? 0 : numstatLines(l)), 0));
    } else if (prev) {
      sizes.set(d.externalId, 0);
    }
    prev = d;
  }
  return sizes;
}

function numstatLines(line: string): number {
  const [added, deleted] = line.split('\t');
  const a = Number(added);
  const d = Number(deleted);
  return (Number.isFinite(a) ? a : 0) + (Number.isFinite(d) ? d : 0); // "-" for binary files
}

function buildEvents(
  points: Points,
  commits: Map<string, CommitInfo>,
  sizes: Map<string, number>,
  complete: boolean,
  meta: { service: string; environment: string; source: string },
): OperationalEvent[] {
  const owner = new Map<string, number>(); // commit → index of the deployment that first shipped it
  const events: OperationalEvent[] = [];
  points.deployments.forEach((d, i) => {
    const shipped: CommitInfo[] = [];
    const stack = [d.commit];
    while (stack.length > 0) {
      const sha = stack.pop()!;
      const c = commits.get(sha);
      if (!c || owner.has(sha)) continue;
      owner.set(sha, i);
      shipped.push(c);
      stack.push(...c.parents);
    }
    shipped.sort((a, b) => a.at - b.at || (a.sha < b.sha ? -1 : 1));
    const reverts = shipped.flatMap((c) => c.reverts);
    // A tag on a commit that an earlier deployment shipped, or that is older than the window
    // (excluded with the base's history), and is not simply the previous deployment again:
    // a roll back to an older version.
    const previous = i > 0 ? points.deployments[i - 1] : points.base;
    const shippedBefore = owner.has(d.commit) || (complete && !commits.has(d.commit));
    const rolledBack = shipped.length === 0 && shippedBefore && previous !== undefined && previous.commit !== d.commit;
    const attrs: Record<string, unknown> = {
      commit: d.commit,
      commits: shipped.map((c) => ({ sha: c.sha, at: c.at })),
    };
    if (d.ref) attrs.ref = d.ref;
    const size = sizes.get(d.externalId);
    if (size !== undefined) attrs.linesChanged = size;
    if (reverts.length > 0) {
      attrs.rollback = true;
      attrs.revertOf = reverts[0];
      attrs.reverts = reverts;
    } else if (rolledBack) {
      attrs.rollback = true;
    }
    events.push({
      kind: 'deployment',
      source: meta.source,
      externalId: d.externalId,
      service: meta.service,
      environment: meta.environment,
      startedAt: d.at,
      endedAt: d.at,
      status: 'success',
      title: d.title,
      attrs,
    });
  });
  return events;
}

