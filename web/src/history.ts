import { getJson } from './api.js';
import { stepFor } from './charts.js';
import { type History } from './model.js';
import { parseHistory } from './parse.js';

/**
 * History for a chart `widthPx` wide over the last `rangeMs`, relative to the server's
 * clock (`from=now-…`). The step is chosen so the server returns at most one point per
 * pixel; it picks raw samples or hourly rollups accordingly.
 */
export async function fetchHistory(path: string, rangeMs: number, widthPx: number, extra: Record<string, string> = {}): Promise<History> {
  const step = stepFor(rangeMs, widthPx);
  return parseHistory(await getJson(path, { from: `now-${Math.round(rangeMs / 1000)}s`, step: String(step), ...extra }));
}
