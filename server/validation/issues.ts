import type { Path } from './path.js';

/**
 * One problem with a workload file, at a place a person can jump to.
 * `line` and `column` are 1-based; both are 0 when the problem concerns the
 * whole file rather than a place in it (e.g. the file cannot be read).
 */
export interface WorkloadIssue {
  file: string;
  line: number;
  column: number;
  /** The value's path, e.g. "collectors[2].interval"; "" for the file or its top level. */
  path: string;
  message: string;
}

/** `file:line:column: path: message`, as compilers and promtool print, so editors can jump to it. */
export function formatIssue(issue: WorkloadIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Sort order of issues: by position in the file, then path, then message. */
export function compareIssues(a: WorkloadIssue, b: WorkloadIssue): number {
  return a.line - b.line || a.column - b.column || cmp(a.path, b.path) || cmp(a.message, b.message);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Thrown by `WorkloadManager.load()` when the file is not valid; carries every issue. */
export class WorkloadInvalidError extends Error {
  override name = 'WorkloadInvalidError';
  constructor(readonly issues: readonly WorkloadIssue[]) {
    const first = issues[0];
    const file = first?.file ?? 'workload file';
    super(
      `${file} is not a valid workload file (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n` +
        issues.map(formatIssue).join('\n'),
    );
  }
}

/**
 * An issue before it has a position: produced by env substitution, the schema
 * and the semantic checks, located in the YAML document by the loader.
 * `at: 'key'` points at the key of the last path segment (e.g. an unknown key)
 * instead of its value.
 */
export interface PathIssue {
  path: Path;
  message: string;
  at?: 'key' | 'value';
  /** Another place the message refers to; the loader appends its position, e.g. "(first defined at 4:9)". */
  related?: { path: Path; note: string };
}
