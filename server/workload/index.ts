/**
 * The workload file: parse, validate, resolve `${ENV}`, report issues with
 * file:line:column, keep versions, hot reload. See docs/workload.md.
 */
export { parseDuration, tryParseDuration, formatDuration, durationSchema, DurationError } from './duration.js';
export { substituteEnv, substituteString, type Env } from './env.js';
export { formatIssue, compareIssues, WorkloadInvalidError, type WorkloadIssue } from '../validation/issues.js';
export { loadWorkloadFile, loadWorkloadText, hashWorkloadText, type LoadOptions, type LoadResult } from './load.js';
export {
  WorkloadManager,
  type ActiveWorkload,
  type ReloadReason,
  type ReloadResult,
  type ReloadStatus,
  type WorkloadManagerEvents,
  type WorkloadManagerOptions,
  type WorkloadVersionSink,
  type AsyncWorkloadVersionSink,
} from './manager.js';
export { formatPath, type Path } from '../validation/path.js';
export { redactWorkload, isSecretKey, REDACTED } from './redact.js';
export { buildWorkloadSchema, toWorkloadPath, CURRENT_VERSION, type SchemaContext, type Workload } from './schema.js';
export { reportContextOf } from './report-context.js';
export { collectorCommonSchema, type CollectorRegistry, type WorkloadCollector } from './sections/collectors.js';
export { semanticChecks, runSemanticChecks, type SemanticCheck } from './semantic.js';
