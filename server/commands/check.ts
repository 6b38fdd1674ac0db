import { collectorRegistry } from '../../collectors/index.js';
import { formatIssue, loadWorkloadFile } from '../workload/index.js';

/** `pillarboard check FILE`: every problem as file:line:column, like promtool check config. */
export function runCheck(
  file: string,
  env: Record<string, string | undefined>,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): number {
  const result = loadWorkloadFile(file, { registry: collectorRegistry, env });
  if (!result.ok) {
    for (const issue of result.errors) err.write(formatIssue(issue) + '\n');
    err.write(`${file}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}\n`);
    return 2;
  }
  const w = result.workload;
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  out.write(
    `${file}: OK — workload "${w.workload.id}", ${count(w.collectors.length, 'collector')}, ` +
      `${count(w.indicators.length, 'indicator')}, ${count(w.outcomes.length, 'outcome')}\n`,
  );
  return 0;
}
