import { isPair, isScalar, visit, YAMLParseError, type Document, type LineCounter, type YAMLError } from 'yaml';

export interface PositionedMessage {
  line: number;
  column: number;
  message: string;
}

/**
 * The YAML library's errors, at the place a person should look, in words that
 * say what to do. Positions come from the error's offset; an unclosed quote is
 * reported where the string opens, not at the end of the file where the
 * library noticed.
 */
export function describeYamlError(error: YAMLError, doc: Document, lines: LineCounter, text: string): PositionedMessage {
  let offset = error.pos[0];
  // Parsed with prettyErrors off: the message is one line without a position.
  const original = error.message.split('\n')[0] ?? error.code;
  let message = original;
  switch (error.code) {
    case 'MISSING_CHAR': {
      const quoted = /closing "quote|closing 'quote/.test(message) ? quotedScalarEndingAt(doc, offset) : undefined;
      if (quoted) {
        offset = quoted.start;
        message = `unclosed ${quoted.quote} quote: this string has no closing ${quoted.quote}`;
      }
      break;
    }
    case 'TAB_AS_INDENT':
      message = 'tab used for indentation; YAML indents with spaces only';
      break;
    case 'DUPLICATE_KEY': {
      const key = keyAt(doc, offset);
      message = key === undefined ? 'duplicate key in this mapping' : `duplicate key "${key}"; a key may appear once in a mapping`;
      break;
    }
    case 'TAG_RESOLVE_FAILED':
      message = `${lowerFirst(original)}; the workload file uses no YAML tags`;
      break;
    case 'MULTIPLE_DOCS':
      message = 'the file holds more than one YAML document ("---"); a workload file is a single document';
      break;
    case 'BAD_INDENT':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      message = `${lowerFirst(message)} (check the indentation around here)`;
      break;
    default:
      message = lowerFirst(message);
  }
  const pos = lines.linePos(offset);
  const lineText = text.slice(lines.lineStarts[pos.line - 1] ?? 0, lines.lineStarts[pos.line] ?? text.length);
  if (lineText.includes('${') && /[{}[\]]/.test(lineText.replace(/\$\{[^}]*\}/g, ''))) {
    // `{ password: ${PW} }` is not YAML: in flow collections `{` starts a mapping.
    message = `${lowerFirst(original)}; inside { } or [ ], quote values that contain \${…}, e.g. "\${PASSWORD}"`;
  }
  return { line: pos.line, column: pos.col, message };
}

/** YAML errors cascade (one missing quote yields several); the first on each line is the one to fix. */
export function firstPerLine<T extends { line: number }>(errors: T[]): T[] {
  const seen = new Set<number>();
  return errors.filter((e) => (seen.has(e.line) ? false : (seen.add(e.line), true)));
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function quotedScalarEndingAt(doc: Document, end: number): { start: number; quote: string } | undefined {
  let found: { start: number; quote: string } | undefined;
  visit(doc, {
    Scalar(_key, node) {
      if (!node.range || node.range[1] !== end) return;
      if (node.type === 'QUOTE_DOUBLE') found = { start: node.range[0], quote: '"' };
      else if (node.type === 'QUOTE_SINGLE') found = { start: node.range[0], quote: "'" };
      if (found) return visit.BREAK;
      return undefined;
    },
  });
  return found;
}

function keyAt(doc: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** `*name` with no `&name` before it: the library only notices when converting, without a position. */
export function unresolvedAliases(doc: Document): YAMLError[] {
  const errors: YAMLError[] = [];
  visit(doc, {
    Alias(_key, alias) {
      if (alias.range && alias.resolve(doc) === undefined) {
        const message = `unknown alias *${alias.source}; define &${alias.source} before using it`;
        errors.push(new YAMLParseError([alias.range[0], alias.range[1]], 'BAD_ALIAS', message));
      }
    },
  });
  return errors;
}
