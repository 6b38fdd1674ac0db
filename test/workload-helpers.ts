import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { CollectorDefinition } from '../collectors/types.js';
import type { CollectorRegistry } from '../server/workload/index.js';

/** A registry of made-up types, so these tests need nothing from collectors/. */
export function testRegistry(): CollectorRegistry {
  const dummy: CollectorDefinition<{ url: string; keep?: string[] }> = {
    type: 'dummy',
    description: 'test double',
    config: z.strictObject({ url: z.string().url(), keep: z.array(z.string()).optional() }),
    collect: async () => ({ samples: [] }),
  };
  const query: CollectorDefinition<unknown> = {
    type: 'query',
    description: 'test double with nested config and a default interval',
    defaultInterval: '30s',
    config: z.strictObject({
      url: z.string().url(),
      queries: z.record(z.string().regex(/^[a-z_]+$/), z.string().min(1)),
      auth: z.strictObject({ username: z.string(), password: z.string() }).optional(),
    }),
    collect: async () => ({ samples: [] }),
  };
  return new Map<string, CollectorDefinition<any>>([
    ['dummy', dummy],
    ['query', query],
  ]);
}

/** A fresh directory, removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pillarboard-workload-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeWorkload(dir: string, text: string, name = 'workload.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Joins lines with "\n" so fixtures can state line numbers plainly. */
export function lines(...ls: string[]): string {
  return ls.join('\n') + '\n';
}

/** Polls `check` until it is true or `timeoutMs` passes; never a fixed sleep. */
export async function waitFor(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
