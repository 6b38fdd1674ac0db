import * as fs from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { locate } from '../validation/locate.js';
import { formatPath } from '../validation/path.js';
import { collectorRegistry } from '../../collectors/index.js';
import { formatIssue, loadWorkloadFile } from '../workload/index.js';
import { buildPrometheusRules } from '../rules/prometheusRules.js';

/** `pillarboard rules`: prints (or writes) Prometheus rules for the workload's SLO indicators. */
export function runRules(
  configPath: string,
  env: Record<string, string | undefined>,
  opts: { out?: string; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): number {
  const loaded = loadWorkloadFile(configPath, { registry: collectorRegistry, env });
  if (!loaded.ok) {
    for (const issue of loaded.errors) opts.stderr.write(formatIssue(issue) + '\n');
    return 2;
  }
  const result = buildPrometheusRules(loaded.workload, collectorRegistry);
  for (const s of result.skipped) opts.stderr.write(`skipped SLO indicator ${s.indicator}: ${s.reason}\n`);
  if (result.errors.length > 0) {
    // A rules file with a self-feeding recording rule would load and then record wrong values:
    // nothing is written until the workload is fixed.
    const text = fs.readFileSync(configPath, 'utf8');
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    for (const e of result.errors) {
      const at = locate(doc, lines, e.path, 'key');
      opts.stderr.write(formatIssue({ file: configPath, line: at.line, column: at.column, path: formatPath(e.path), message: `SLO indicator ${e.indicator}: ${e.message}` }) + '\n');
    }
    opts.stderr.write('no rules written\n');
    return 1;
  }
  if (opts.out) {
    fs.writeFileSync(opts.out, result.yaml);
    opts.stderr.write(`wrote ${result.groups} rule group(s) to ${opts.out}\n`);
  } else {
    opts.stdout.write(result.yaml);
  }
  return 0;
}
