/**
 * Errors of the review module a person can cause. The API turns them into problem+json
 * (field → `errors[].name`), the CLI into a message and exit code 2.
 */

/** Bad input: an unknown choice, a missing reason… `field` names the place (`choices[1]`, `reason`). */
export class ReviewInputError extends Error {
  override name = 'ReviewInputError';
  constructor(
    message: string,
    readonly field: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

export interface LensFault {
  /** JSON path, e.g. `$.pillars[0].questions[2].riskRules[1].condition`. */
  path: string;
  /** 1-based position in the file; 0 when unknown (e.g. a lens sent as an HTTP body). */
  line: number;
  column: number;
  message: string;
}

/** A lens refused at import, with every fault. */
export class LensInvalidError extends Error {
  override name = 'LensInvalidError';
  constructor(readonly issues: readonly LensFault[]) {
    super(`the lens is not valid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
  }
}
