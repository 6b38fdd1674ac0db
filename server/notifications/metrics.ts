import { Counter, type Registry } from 'prom-client';

export interface AttemptCount {
  channel: string;
  result: 'success' | 'failure';
  count: number;
}

/**
 * `pillarboard_notifications_total{channel,result}`: every delivery attempt recorded, by channel
 * and result (success, failure), read from the attempts table at scrape time as the weekly
 * report's delivery counter is — so it survives restarts and a channel that keeps failing
 * shows as a rising failure count.
 */
export function registerNotificationMetrics(registry: Registry, counts: () => AttemptCount[] | null): void {
  new Counter({
    name: 'pillarboard_notifications_total',
    help: 'Notification delivery attempts by channel and result (success, failure); each retry counts.',
    labelNames: ['channel', 'result'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { channel, result, count } of counts() ?? []) this.inc({ channel, result }, count);
    },
  });
}
