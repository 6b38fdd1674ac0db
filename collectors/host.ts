import * as os from 'node:os';
import { readFile, statfs } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { PartialCollectError, type CollectorDefinition, type Sample } from './types.js';

/**
 * `host`: the machine Pillarboard runs on, from Node's own APIs only, so it works on a
 * fresh machine with nothing else installed. Emits:
 *   host_cpu_utilization_ratio      busy share of all CPUs over `cpu_window_ms` (0..1)
 *   host_cpu_count
 *   host_load1, host_load5, host_load15   (0 on Windows, which has no load average)
 *   host_memory_total_bytes, host_memory_available_bytes, host_memory_used_bytes
 *       Linux: MemAvailable from /proc/meminfo (what can be allocated without swapping);
 *       elsewhere os.freemem(), which understates what is available.
 *   host_filesystem_size_bytes{path}, host_filesystem_free_bytes{path}
 *       free = blocks available to unprivileged users, what `df` shows as Avail.
 *   host_uptime_seconds
 *
 * Failure contract: a configured disk path that cannot be read fails the run through
 * `PartialCollectError`, which still carries every other sample.
 */

export const hostConfig = z.strictObject({
  /** Paths whose file systems are measured; each gives samples labelled `path`. */
  disks: z.array(z.string().min(1)).min(1).default(['/']).describe('Paths whose file systems are measured (label `path`).'),
  /** CPU utilisation is a delta over this window, measured inside each run. */
  cpu_window_ms: z.number().int().min(10).max(10_000).default(250).describe('CPU utilisation is measured over this window inside each run, in ms.'),
});

export type HostConfig = z.output<typeof hostConfig>;

export const host: CollectorDefinition<HostConfig> = {
  type: 'host',
  description: 'This machine: CPU utilisation, load, memory and file-system space, with no agent installed.',
  defaultInterval: '30s',
  config: hostConfig,
  async collect(config, ctx) {
    const ts = ctx.now.getTime();
    const samples: Sample[] = [];
    const add = (name: string, value: number, labels: Record<string, string> = {}) => samples.push({ name, labels, ts, value });

    const [cpu, memory, disks] = await Promise.all([
      cpuUtilization(config.cpu_window_ms, ctx.signal),
      readMemory(),
      Promise.all(config.disks.map((path) => readDisk(path))),
    ]);
    add('host_cpu_utilization_ratio', cpu);
    add('host_cpu_count', os.cpus().length);
    const [l1, l5, l15] = os.loadavg();
    add('host_load1', l1 ?? 0);
    add('host_load5', l5 ?? 0);
    add('host_load15', l15 ?? 0);
    add('host_memory_total_bytes', memory.total);
    add('host_memory_available_bytes', memory.available);
    add('host_memory_used_bytes', memory.total - memory.available);
    add('host_uptime_seconds', os.uptime());

    const failed: string[] = [];
    for (const d of disks) {
      if ('error' in d) failed.push(d.error);
      else {
        add('host_filesystem_size_bytes', d.size, { path: d.path });
        add('host_filesystem_free_bytes', d.free, { path: d.path });
      }
    }
    if (failed.length > 0) throw new PartialCollectError(failed.join('; '), { samples });
    return { samples };
  },
};

/** Busy share of all CPUs between two readings of their cumulative times. */
async function cpuUtilization(windowMs: number, signal: AbortSignal): Promise<number> {
  const before = cpuTimes();
  try {
    await sleep(windowMs, undefined, { signal });
  } catch {
    const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
    throw new Error(`host collector aborted while measuring CPU utilisation (${reason})`, { cause: signal.reason });
  }
  const after = cpuTimes();
  const total = after.total - before.total;
  if (total <= 0) return 0;
  return Math.min(1, Math.max(0, 1 - (after.idle - before.idle) / total));
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

async function readMemory(): Promise<{ total: number; available: number }> {
  if (process.platform === 'linux') {
    try {
      const text = await readFile('/proc/meminfo', 'utf8');
      const kb = (key: string) => {
        const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
        return m ? Number(m[1]) * 1024 : undefined;
      };
      const total = kb('MemTotal');
      const available = kb('MemAvailable');
      if (total !== undefined && available !== undefined) return { total, available };
    } catch {
      // No /proc (some sandboxes): fall back to what Node reports.
    }
  }
  return { total: os.totalmem(), available: os.freemem() };
}

async function readDisk(path: string): Promise<{ path: string; size: number; free: number } | { error: string }> {
  try {
    const s = await statfs(path);
    return { path, size: s.blocks * s.bsize, free: s.bavail * s.bsize };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'does not exist' : e.code === 'EACCES' ? 'permission denied' : e.message;
    return { error: `disk path ${path} cannot be measured: ${why} (check host.disks)` };
  }
}
