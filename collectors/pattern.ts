import { RE2JS } from 're2js';

/**
 * Every regular expression a user supplies (API selectors, the workload file's selectors, `keep`
 * and `match_labels`, `body_match`, webhook name patterns) is compiled here, with RE2 semantics as
 * Prometheus uses: matching takes time linear in the input, whatever the pattern, so no request or
 * workload file can freeze the process (JavaScript's backtracking `RegExp` takes exponential time
 * on `(a+)+$`). The price is RE2's syntax: no backreferences and no lookaround; such a pattern is
 * refused with the reason. It lives on the lowest floor so every layer can use the one engine.
 */

/** The longest pattern accepted, in characters (RE2 also bounds repeat counts at 1000). */
export const MAX_PATTERN_LENGTH = 1024;

/** A compiled pattern; `test` runs in time linear in `value`'s length. */
export interface Pattern {
  readonly source: string;
  test(value: string): boolean;
}

/** A pattern that cannot be used; the message says why, without the field (callers add it). */
export class PatternError extends Error {
  constructor(
    message: string,
    /** The reason alone, for callers that already say "invalid regular expression". */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'PatternError';
  }
}

export interface PatternOptions {
  /** Match the whole value, as PromQL's `=~` does (and `.` matches newline, as `(?s)`); otherwise any part of it. */
  anchored: boolean;
  caseInsensitive?: boolean;
}

/** Compiles `source` or throws PatternError (too long, or not valid RE2 syntax). */
export function compilePattern(source: string, options: PatternOptions): Pattern {
  if (source.length > MAX_PATTERN_LENGTH) {
    const reason = `${source.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`;
    throw new PatternError(`regular expression too long: ${reason}`, reason);
  }
  let flags = options.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0;
  if (options.anchored) flags |= RE2JS.DOTALL;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, flags);
  } catch (err) {
    const reason = `${(err as Error).message.replace(/^error parsing regexp: /, '')} (RE2 syntax, as in Prometheus)`;
    throw new PatternError(`not a valid regular expression: ${reason}`, reason);
  }
  return options.anchored ? { source, test: (v) => re.testExact(v) } : { source, test: (v) => re.test(v) };
}

/** The problem with `source` as a pattern, or undefined when it compiles: for schema checks. */
export function patternProblem(source: string, options: PatternOptions): string | undefined {
  try {
    compilePattern(source, options);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
