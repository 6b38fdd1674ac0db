import * as fs from 'node:fs';
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
  if (opts.out) {
    fs.writeFileSync(opts.out, result.yaml);
    opts.stderr.write(`wrote ${result.groups} rule group(s) to ${opts.out}\n`);
  } else {
    opts.stdout.write(result.yaml);
  }
  return 0;
}
