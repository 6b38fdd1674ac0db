import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { substituteEnv, type Env } from './env.js';
import { keysAt } from './introspect.js';
import { compareIssues, type PathIssue, type WorkloadIssue } from '../validation/issues.js';
import { locate } from '../validation/locate.js';
import { formatPath, isPrefix, type Path } from '../validation/path.js';
import { buildWorkloadSchema, type Workload } from './schema.js';
import type { CollectorRegistry } from './sections/collectors.js';
import { runSemanticChecks } from './semantic.js';
import { describeYamlError, firstPerLine, unresolvedAliases } from './yaml-errors.js';
import { convertZodIssues } from '../validation/zod-issues.js';

export interface LoadOptions {
  registry: CollectorRegistry;
  /** The environment `${VAR}` references read; passed in so that nothing here reads process.env. */
  env: Env;
}

export type LoadResult =
  | {
      ok: true;
      workload: Workload;
      /** sha256 (hex) of the file's text as written: equal text, equal hash. */
      hash: string;
      /** The file's text as written, with `${VAR}` references, never resolved values. */
      source: string;
      /** File paths of the values that held `${VAR}` references; treat them as secrets. */
      secretPaths: Path[];
    }
  | { ok: false; errors: WorkloadIssue[] };

/** Reads and validates a workload file. Never throws for a problem the user can fix: those come back as issues. */
export function loadWorkloadFile(path: string, opts: LoadOptions): LoadResult {
  const read = readWorkloadText(path);
  return typeof read === 'string' ? loadWorkloadText(read, { ...opts, file: path }) : { ok: false, errors: [read] };
}

/** The file's text, or the issue saying why it cannot be read (line and column 0: the whole file). */
export function readWorkloadText(path: string): string | WorkloadIssue {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    return { file: path, line: 0, column: 0, path: '', message: `cannot read the file: ${describeFsError(err)}` };
  }
}

/** The hash a LoadResult carries for `text`. */
export function hashWorkloadText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Validates a workload file's text, reporting every problem at once, sorted by
 * position. YAML syntax errors stop before the schema (a broken document
 * would only produce misleading follow-up errors); env, schema and semantic
 * problems are all reported together.
 */
export function loadWorkloadText(text: string, opts: LoadOptions & { file: string }): LoadResult {
  const file = opts.file;
  const lines = new LineCounter();
  // Merge keys (`<<: *defaults`) are allowed so collectors can share settings.
  // logLevel 'error': the library would otherwise print warnings on the process ('silent' would drop errors).
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true, logLevel: 'error' });
  const at = (line: number, column: number, message: string, path = ''): WorkloadIssue => ({ file, line, column, path, message });

  // The library's warnings (an unknown tag such as `!secret`) would silently change a value: errors here.
  const syntax = [...doc.errors, ...doc.warnings, ...unresolvedAliases(doc)];
  if (syntax.length > 0) {
    const described = syntax.map((e) => describeYamlError(e, doc, lines, text));
    return fail(firstPerLine(described).map((e) => at(e.line, e.column, e.message)));
  }
  const root = doc.contents;
  if (root === null) {
    return fail([at(1, 1, 'the file is empty; a workload file is a mapping with at least `workload:` (see docs/workload.md)')]);
  }
  if (!isMap(root)) {
    const found = isSeq(root) ? 'a list' : isScalar(root) ? 'a single value' : 'something else';
    const pos = lines.linePos(root.range?.[0] ?? 0);
    const message = `the file holds ${found}; a workload file is a mapping with keys such as \`workload:\` and \`collectors:\``;
    return fail([at(pos.line, pos.col, message)]);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Only the alias-expansion limit (a "billion laughs" guard) is expected here.
    return fail([at(1, 1, `cannot expand the document: ${(err as Error).message}`)]);
  }

  const env = substituteEnv(data, opts.env);
  const schema = schemaFor(opts.registry);
  const parsed = schema.safeParse(env.value);
  const schemaIssues = parsed.success
    ? []
    : convertZodIssues(parsed.error.issues, { input: env.value, keysAt: (p) => keysAt(schema, p) })
        // A value whose ${VAR} failed is reported once, for the variable, not again for its shape.
        .filter((issue) => !env.issues.some((e) => isPrefix(e.path, issue.path)));
  const pathIssues = [...env.issues, ...schemaIssues, ...runSemanticChecks(env.value)];

  if (pathIssues.length > 0 || !parsed.success) {
    return fail(pathIssues.map((issue) => position(issue, doc, lines, file)));
  }
  return {
    ok: true,
    workload: parsed.data,
    hash: hashWorkloadText(text),
    source: text,
    secretPaths: env.secretPaths,
  };
}

function position(issue: PathIssue, doc: Document, lines: LineCounter, file: string): WorkloadIssue {
  const pos = locate(doc, lines, issue.path, issue.at);
  let message = issue.message;
  if (issue.related) {
    const rel = locate(doc, lines, issue.related.path);
    message += ` (${issue.related.note} at ${rel.line}:${rel.column})`;
  }
  return { file, line: pos.line, column: pos.column, path: formatPath(issue.path), message };
}

function fail(errors: WorkloadIssue[]): LoadResult {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const key = `${e.line}:${e.column}:${e.path}:${e.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return { ok: false, errors: unique.sort(compareIssues) };
}

const schemas = new WeakMap<CollectorRegistry, ReturnType<typeof buildWorkloadSchema>>();

/** The schema depends only on the registry, so it is built once per registry. */
function schemaFor(registry: CollectorRegistry) {
  let schema = schemas.get(registry);
  if (!schema) {
    schema = buildWorkloadSchema({ registry });
    schemas.set(registry, schema);
  }
  return schema;
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return e.message ?? String(err);
  }
}
