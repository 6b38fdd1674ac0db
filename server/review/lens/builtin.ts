import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileLens, type CompiledLens } from './compile.js';
import { LENS_KEY_PATTERN } from './format.js';
import { formatLensIssue, parseLensText } from './parse-file.js';

/**
 * The lenses shipped with Pillarboard: `lenses/<id>.json` beside package.json, in the custom-lens
 * format. They are part of the release, like migrations: read once per directory, and invalid
 * ones are a bug that fails loudly (a test validates them).
 */

export const BUILTIN_LENS_ID = 'wellarchitected';

/** The package's `lenses/` directory, from source (server/review/lens) or compiled (dist/…). */
export function findLensesDir(startDir: string = __dirname): string {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, 'lenses');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate) && fs.statSync(candidate).isDirectory()) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no lenses/ directory beside a package.json above ${startDir}`);
    dir = parent;
  }
}

const loaded = new Map<string, CompiledLens[]>();

/** Every built-in lens, compiled; id = file name without `.json`. */
export function builtinLenses(dir: string = findLensesDir()): CompiledLens[] {
  const cached = loaded.get(dir);
  if (cached) return cached;
  const lenses = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const id = file.slice(0, -'.json'.length);
      if (!LENS_KEY_PATTERN.test(id)) throw new Error(`built-in lens file ${file}: the name must be a lens id (${LENS_KEY_PATTERN})`);
      const full = path.join(dir, file);
      const parsed = parseLensText(fs.readFileSync(full, 'utf8'));
      if (!parsed.ok) throw new Error(`built-in lens ${full} is invalid:\n${parsed.issues.map((i) => formatLensIssue(full, i)).join('\n')}`);
      // A built-in lens is ours: a key the format does not define is a typo, not a tolerance.
      if (parsed.warnings.length > 0) throw new Error(`built-in lens ${full} has warnings:\n${parsed.warnings.map((i) => formatLensIssue(full, i)).join('\n')}`);
      return compileLens(id, parsed.lens);
    });
  loaded.set(dir, lenses);
  return lenses;
}
