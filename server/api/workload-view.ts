import type { ReloadStatus } from '../workload/index.js';
import { formatIssue } from '../validation/issues.js';
import type { ActiveWorkloadView } from './deps.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Issues of a refused reload the summary carries (the wall screen shows the first); `/api/workload` and `pillarboard check` give all. */
export const SUMMARY_ISSUES = 3;

/**
 * How the latest loads and reloads of the workload file went: whether the latest attempt
 * succeeded, when the last success was, and the latest refused attempt while no success has
 * followed it — its issues each as `file:line:column: path: message` and as fields.
 * `maxIssues` bounds the list (the summary goes to every wall screen); `errorCount` is always
 * the full count.
 */
export function reloadView(w: ActiveWorkloadView, maxIssues = Number.POSITIVE_INFINITY) {
  const r: ReloadStatus | undefined = w.reload?.();
  const refused = r?.refused ?? null;
  return {
    lastSuccessful: r ? r.lastSuccessful : true,
    lastSuccessAt: iso(r ? r.lastSuccessAt : w.appliedAt),
    lastAttemptAt: iso(r ? r.lastAttemptAt : w.appliedAt),
    refused: refused && {
      at: iso(refused.at),
      trigger: refused.reason,
      errorCount: refused.issues.length,
      issues: refused.issues.slice(0, maxIssues).map((i) => ({ text: formatIssue(i), file: i.file, line: i.line, column: i.column, path: i.path, message: i.message })),
    },
  };
}

/** The summary's `workloadFile` part: the running version and the reload state (first issues only). */
export function workloadFileView(w: ActiveWorkloadView) {
  return { path: w.path, version: { id: w.versionId, appliedAt: iso(w.appliedAt) }, ...reloadView(w, SUMMARY_ISSUES) };
}
