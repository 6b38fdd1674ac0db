import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Path } from './path.js';

export interface Located {
  line: number;
  column: number;
  /** False when the path ends before the document does (a missing key): the position is the deepest existing ancestor's. */
  found: boolean;
}

/**
 * The source position of the value at `path`, or of its key with `at: 'key'`.
 * A path that runs past the document (a required key that is missing, a value
 * reached through a merge key) resolves to the nearest ancestor that exists,
 * which is where the user has to add or fix something.
 */
export function locate(doc: Document, lines: LineCounter, path: Path, at: 'key' | 'value' = 'value'): Located {
  let node: unknown = doc.contents;
  let keyNode: unknown = undefined;
  let found = true;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown = undefined;
    let nextKey: unknown = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (pair) {
        nextKey = pair.key;
        // `key:` with nothing after it has a null value node (with a range) or none at all.
        next = pair.value ?? pair.key;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined) {
      found = false;
      break;
    }
    node = next;
    keyNode = nextKey;
  }
  const target = found && at === 'key' && keyNode !== undefined ? keyNode : node;
  const offset = rangeStart(target);
  if (offset === undefined) return { line: 1, column: 1, found };
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col, found };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
