import type { Command } from 'commander';
import { buildProgram } from '../../server/cli.js';
import { where, type Fence, type Span } from './markdown.js';

/**
 * The command line as the docs write it, resolved in the real commander program
 * (server/cli.ts buildProgram): commands are discovered by walking it, never listed here.
 */

export const program = buildProgram();

export function allCommands(cmd: Command, prefix: string[] = []): Array<{ path: string[]; cmd: Command }> {
  return cmd.commands.flatMap((c) => {
    const p = [...prefix, c.name()];
    return [{ path: p, cmd: c }, ...allCommands(c, p)];
  });
}
export const COMMANDS = allCommands(program);

export function findSub(cmd: Command, name: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

/** The flags a command accepts: its own options, plus -h/--help everywhere (commander adds them). */
export function flagsOf(cmd: Command): Set<string> {
  const out = new Set(['--help', '-h']);
  for (const o of cmd.options) {
    if (o.long) out.add(o.long);
    if (o.short) out.add(o.short);
    if (o.negate && o.long) out.add(o.long.replace(/^--no-/, '--'));
  }
  return out;
}
export const ALL_FLAGS = new Set([program, ...COMMANDS.map((c) => c.cmd)].flatMap((c) => [...flagsOf(c)]));

/** Quoted strings blanked, so `--title "a --b"` and `"$PB_TOKEN"` do not read as flags. */
export const unquote = (s: string) => s.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""');

/** `--flag` and `-f` tokens (not the `-` inside `now-4m`, `2026-W47` or `a-b`). */
export function flagsIn(text: string): string[] {
  return [...unquote(text).matchAll(/(?<![\w./$-])(--?[a-zA-Z][\w-]*)/g)].map((m) => m[1]!);
}

/** Splits at ` | ` outside brackets and parentheses: the synopsis's alternatives. */
export function topLevelAlternatives(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '[' || c === '(') depth++;
    if (c === ']' || c === ')') depth--;
    if (depth === 0 && text.startsWith(' | ', i)) {
      out.push(cur);
      cur = '';
      i += 2;
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** `FILE`, `COMMAND`, and `…` ("npx pillarboard …"): stand-ins, not names. */
export const isPlaceholder = (w: string) => /^[A-Z][A-Z_-]*$/.test(w) || /^(…|\.\.\.)$/.test(w);

export interface Invocation {
  at: string;
  /** What follows `pillarboard `. */
  args: string;
}

/** Every `pillarboard …` command line in fenced shell blocks and inline code. */
export function invocations(fences: readonly Fence[], spans: readonly Span[]): Invocation[] {
  const out: Invocation[] = [];
  const take = (at: string, line: string) => {
    const m = /^(?:\$\s+)?(?:npx\s+)?pillarboard\s+(.*)$/.exec(line.trim());
    if (m) out.push({ at, args: m[1]!.replace(/\s+#\s.*$/, '') });
  };
  for (const f of fences) {
    if (!['', 'sh', 'bash', 'console', 'shell'].includes(f.lang)) continue;
    const lines = f.body.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!;
      const start = i;
      while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, ' ') + lines[++i]!.trim();
      take(`${f.doc.file}:${f.line + start}`, line);
    }
  }
  for (const s of spans) take(where(s), s.code);
  return out;
}

/** Problems of one invocation: unknown commands, subcommands and flags. */
export function checkInvocation(inv: Invocation): string[] {
  const problems: string[] = [];
  const words = inv.args.split(/\s+/);
  const first = words[0] ?? '';
  if (first.startsWith('-')) {
    // `pillarboard --help | COMMAND --help | --version`: program-level flags.
    for (const f of flagsIn(inv.args)) if (!flagsOf(program).has(f)) problems.push(`${inv.at}: "pillarboard ${inv.args}": the program has no flag ${f}`);
    return problems;
  }
  if (isPlaceholder(first)) return problems;
  const cmd = findSub(program, first);
  if (!cmd) return [`${inv.at}: "pillarboard ${first}": no such command (commands: ${program.commands.map((c) => c.name()).join(', ')})`];
  const rest = inv.args.slice(first.length).trim();
  if (cmd.commands.length === 0) {
    for (const f of flagsIn(rest)) if (!flagsOf(cmd).has(f)) problems.push(`${inv.at}: "pillarboard ${first}" has no flag ${f} (it has ${[...flagsOf(cmd)].join(' ')})`);
    return problems;
  }
  // A command with subcommands: `a|b|c`, or the synopsis's `a … | b … | c …`.
  const segments = topLevelAlternatives(rest);
  let current: Command | undefined;
  for (const seg of segments) {
    const head = seg.split(/\s+/)[0] ?? '';
    if (head && !head.startsWith('-') && !head.startsWith('[') && !head.startsWith('(')) {
      if (head.includes('|')) {
        for (const name of head.split('|')) if (!findSub(cmd, name)) problems.push(`${inv.at}: "pillarboard ${first} ${name}": no such subcommand`);
        current = undefined;
        continue;
      }
      const sub = findSub(cmd, head);
      if (!sub && !isPlaceholder(head)) {
        problems.push(`${inv.at}: "pillarboard ${first} ${head}": no such subcommand (it has ${cmd.commands.map((c) => c.name()).join(', ')})`);
        continue;
      }
      current = sub ?? current;
    }
    const target = current ?? cmd;
    const segFlags = flagsIn(seg.slice(current && head === current.name() ? head.length : 0));
    for (const f of segFlags) {
      if (!flagsOf(target).has(f)) problems.push(`${inv.at}: "pillarboard ${first}${current ? ` ${current.name()}` : ''}" has no flag ${f}`);
    }
  }
  return problems;
}

/** Programs other than pillarboard whose flags the docs quote. */
export const FOREIGN = /^(?:\$\s+)?(?:sudo\s+)?(?:node|npm|npx(?!\s+pillarboard)|tsx|git|chromium|chromium-browser|google-chrome|promtool|prometheus|node_exporter|curl|docker|apt-get|bash|sh|systemctl|kill|sqlite3|openssl)\b/;
