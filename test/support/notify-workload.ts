import { lines } from '../workload-helpers.js';

/**
 * The notification tests' workload: a web shop whose outcome "Customers can buy" has one key
 * indicator, checkout latency (ok ≤ 0.3 s, warning ≤ 0.5 s, critical above 1 s), evaluated every
 * 60 s, then a `notifications:` section made of `notifications` (its lines, indented as in the
 * file: channels, retry, rules…).
 */
export function shopWorkload(opts: { window: string; notifications: string[] }): string {
  return lines(
    'workload: { id: shop, title: "Web shop" }',
    'evaluation: { interval: 60s }',
    'indicators:',
    `  - { id: latency, title: "Checkout latency", pillar: performance_efficiency, unit: seconds, series: app_latency_seconds, aggregate: max, window: ${opts.window}, objective: { max: 0.3, warning: 0.5, critical: 1.0 } }`,
    'outcomes:',
    '  - { id: buy, title: "Customers can buy", indicators: [{ ref: latency, key: true }] }',
    'notifications:',
    ...opts.notifications,
  );
}

/** A channel line posting JSON to `url`/hook under the name `hook`. */
export const jsonHook = (url: string) => `    - { name: hook, webhook: { url: "${url}/hook", format: json } }`;
