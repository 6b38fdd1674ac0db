import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPromtool, PROMTOOL_BIN } from './promtool.js';

/**
 * Weeks of history in a real Prometheus TSDB, made in seconds: the series are written as an
 * OpenMetrics file and turned into blocks by `promtool tsdb create-blocks-from openmetrics`;
 * start Prometheus on the directory with `startPrometheus({ dataDir, scrapeTargets: [] })`.
 */
export interface HistorySeries {
  /** Metric family name; for a counter, samples are written as `<name>_total`. */
  name: string;
  type: 'gauge' | 'counter';
  labels: Record<string, string>;
  /** The value at point i (ts = from + i·step). */
  value: (i: number) => number;
}

export async function createPrometheusHistory(
  dir: string,
  series: readonly HistorySeries[],
  range: { from: number; to: number; stepMs: number },
): Promise<{ dataDir: string; points: number }> {
  const file = path.join(dir, 'history.om');
  const fd = fs.openSync(file, 'w');
  let points = 0;
  try {
    const families = new Map<string, HistorySeries[]>();
    for (const s of series) families.set(s.name, [...(families.get(s.name) ?? []), s]);
    for (const [name, members] of families) {
      const type = members[0]!.type;
      let buf = `# TYPE ${name} ${type}\n`;
      for (const s of members) {
        const metric = `${type === 'counter' ? `${name}_total` : name}{${Object.entries(s.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
        for (let i = 0, ts = range.from; ts <= range.to; i++, ts += range.stepMs) {
          buf += `${metric} ${s.value(i)} ${ts / 1000}\n`;
          points++;
          if (buf.length > 1 << 20) {
            fs.writeSync(fd, buf);
            buf = '';
          }
        }
      }
      fs.writeSync(fd, buf);
    }
    fs.writeSync(fd, '# EOF\n');
  } finally {
    fs.closeSync(fd);
  }
  const dataDir = path.join(dir, 'tsdb');
  const r = await runPromtool(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', '--max-block-duration=744h', file, dataDir]);
  fs.rmSync(file);
  if (r.code !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics failed (${r.code}): ${r.output.slice(0, 2000)}`);
  return { dataDir, points };
}
