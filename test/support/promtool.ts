import { spawn } from 'node:child_process';

export const PROMTOOL_BIN = '/usr/bin/promtool';

/**
 * Runs `promtool check metrics` on an exposition text (stdin), as Prometheus users lint theirs.
 * Tests using it declare `{ skip: requireBinary(PROMTOOL_BIN) }`.
 */
export async function promtoolCheckMetrics(text: string): Promise<{ code: number; output: string }> {
  return runPromtool(PROMTOOL_BIN, ['check', 'metrics'], text);
}

export function runPromtool(bin: string, args: string[], stdin?: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, output }));
    p.stdin.end(stdin ?? '');
  });
}
