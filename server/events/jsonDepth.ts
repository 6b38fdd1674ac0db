/**
 * How deeply a parsed JSON value nests, measured without recursion (so a hostile document
 * thousands of levels deep cannot overflow the stack here, as it did in JSON.stringify when an
 * event's `attributes` were stored). Returns the path to the first value deeper than `max`
 * (e.g. `attributes.a.a.a`), or undefined when the value is within it.
 */
export function tooDeep(value: unknown, max: number, base = ''): string | undefined {
  const stack: Array<[value: unknown, depth: number, path: string]> = [[value, 0, base]];
  while (stack.length) {
    const [v, depth, path] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return path || '(root)';
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], depth + 1, `${path}[${i}]`]);
    } else {
      for (const [k, child] of Object.entries(v)) stack.push([child, depth + 1, path ? `${path}.${k}` : k]);
    }
  }
  return undefined;
}
