/**
 * The boolean expression language shared by lens risk rules and evidence conditions:
 * `&&`, `||`, `!` and parentheses over atoms. Precedence, tightest first: `!`, `&&`, `||`;
 * `&&` and `||` associate to the left. What an atom is belongs to the caller (a choice id in a
 * risk rule, `indicator == ok` in an evidence condition): it passes an `AtomParser`.
 *
 * A hand-written tokenizer and recursive-descent parser — never `eval` or `Function`: the text
 * comes from files and HTTP bodies. Errors carry the 0-based character offset where the text
 * stops making sense, so callers can point at it.
 */

export type TokenKind = '(' | ')' | '!' | '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'word' | 'number';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset of the token's first character. */
  start: number;
  end: number;
}

export type Expr<A> =
  | { kind: 'or' | 'and'; left: Expr<A>; right: Expr<A>; start: number; end: number }
  | { kind: 'not'; operand: Expr<A>; start: number; end: number }
  | { kind: 'atom'; atom: A; start: number; end: number };

export class ExpressionError extends Error {
  override name = 'ExpressionError';
  /** 0-based character offset of the fault (the text's length for "ended too early"). */
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Deeper nesting than this is refused, so a hostile expression cannot exhaust the stack. */
export const MAX_DEPTH = 64;

const PUNCTUATION: ReadonlyArray<TokenKind> = ['&&', '||', '==', '!=', '<=', '>=', '(', ')', '!', '<', '>'];
// A number is not followed by an identifier character, so a choice id such as `1_backup` stays a word.
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![A-Za-z0-9_.])/y;
// Words are ids (workload ids may contain "-"), optionally dotted (`latency.value`).
const WORD = /[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*/y;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (punct) {
      tokens.push({ kind: punct, text: punct, start: i, end: i + punct.length });
      i += punct.length;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(text);
    if (num) {
      tokens.push({ kind: 'number', text: num[0], start: i, end: i + num[0].length });
      i += num[0].length;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(text);
    if (word) {
      tokens.push({ kind: 'word', text: word[0], start: i, end: i + word[0].length });
      i += word[0].length;
      continue;
    }
    throw new ExpressionError(unexpectedCharacter(ch), i);
  }
  return tokens;
}

function unexpectedCharacter(ch: string): string {
  if (ch === '&') return 'unexpected "&": write && for "and"';
  if (ch === '|') return 'unexpected "|": write || for "or"';
  if (ch === '=') return 'unexpected "=": write == to compare';
  return `unexpected character ${JSON.stringify(ch)}`;
}

/** A cursor over the tokens, handed to atom parsers. */
export class TokenStream {
  private i = 0;
  constructor(
    private readonly tokens: readonly Token[],
    /** The length of the text, the offset reported for "ended too early". */
    readonly textLength: number,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  next(): Token | undefined {
    const t = this.tokens[this.i++];
    if (t) this.consumedEnd = t.end;
    return t;
  }

  /** End offset of the last token consumed. */
  consumedEnd = 0;

  /** The next token when it is of `kind`, else an error saying what was expected. */
  expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (!t) throw new ExpressionError(`expected ${what}, but the expression ended`, this.textLength);
    if (t.kind !== kind) throw new ExpressionError(`expected ${what}, found ${JSON.stringify(t.text)}`, t.start);
    return t;
  }

  /** Offset where the next token starts (the text's end when there is none). */
  offset(): number {
    return this.peek()?.start ?? this.textLength;
  }
}

/** Reads one atom starting at the stream's position, or throws an ExpressionError. */
export type AtomParser<A> = (tokens: TokenStream) => A;

export function parseExpression<A>(text: string, parseAtom: AtomParser<A>): Expr<A> {
  const tokens = new TokenStream(tokenize(text), text.length);
  if (tokens.peek() === undefined) throw new ExpressionError('the expression is empty', 0);
  const expr = parseOr(tokens, parseAtom, 0);
  const rest = tokens.peek();
  if (rest) {
    const hint = rest.kind === ')' ? 'a ")" without its "("' : `${JSON.stringify(rest.text)}; join conditions with && or ||`;
    throw new ExpressionError(`unexpected ${hint}`, rest.start);
  }
  return expr;
}

function parseOr<A>(t: TokenStream, atom: AtomParser<A>, depth: number): Expr<A> {
  let left = parseAnd(t, atom, depth);
  while (t.peek()?.kind === '||') {
    t.next();
    const right = parseAnd(t, atom, depth);
    left = { kind: 'or', left, right, start: left.start, end: right.end };
  }
  return left;
}

function parseAnd<A>(t: TokenStream, atom: AtomParser<A>, depth: number): Expr<A> {
  let left = parseUnary(t, atom, depth);
  while (t.peek()?.kind === '&&') {
    t.next();
    const right = parseUnary(t, atom, depth);
    left = { kind: 'and', left, right, start: left.start, end: right.end };
  }
  return left;
}

function parseUnary<A>(t: TokenStream, atom: AtomParser<A>, depth: number): Expr<A> {
  if (depth > MAX_DEPTH) throw new ExpressionError(`the expression nests deeper than ${MAX_DEPTH} levels`, t.offset());
  const tok = t.peek();
  if (tok === undefined) throw new ExpressionError('expected a condition, but the expression ended', t.textLength);
  if (tok.kind === '!') {
    t.next();
    const operand = parseUnary(t, atom, depth + 1);
    return { kind: 'not', operand, start: tok.start, end: operand.end };
  }
  if (tok.kind === '(') {
    t.next();
    const inner = parseOr(t, atom, depth + 1);
    const close = t.next();
    if (close?.kind !== ')') {
      const offset = close?.start ?? t.textLength;
      throw new ExpressionError(`missing ")" to close the "(" at character ${tok.start + 1}`, offset);
    }
    return { ...inner, start: tok.start, end: close.end };
  }
  if (tok.kind === '&&' || tok.kind === '||' || tok.kind === ')') {
    throw new ExpressionError(`expected a condition before ${JSON.stringify(tok.text)}`, tok.start);
  }
  const value = atom(t);
  return { kind: 'atom', atom: value, start: tok.start, end: t.consumedEnd };
}

/** Every atom of the expression, left to right. */
export function atomsOf<A>(expr: Expr<A>): Array<{ atom: A; start: number; end: number }> {
  switch (expr.kind) {
    case 'atom':
      return [{ atom: expr.atom, start: expr.start, end: expr.end }];
    case 'not':
      return atomsOf(expr.operand);
    default:
      return [...atomsOf(expr.left), ...atomsOf(expr.right)];
  }
}

/** Two-valued evaluation: every atom is true or false. */
export function evaluateBoolean<A>(expr: Expr<A>, atom: (a: A) => boolean): boolean {
  switch (expr.kind) {
    case 'atom':
      return atom(expr.atom);
    case 'not':
      return !evaluateBoolean(expr.operand, atom);
    case 'and':
      return evaluateBoolean(expr.left, atom) && evaluateBoolean(expr.right, atom);
    case 'or':
      return evaluateBoolean(expr.left, atom) || evaluateBoolean(expr.right, atom);
  }
}

/**
 * Three-valued (Kleene) evaluation, for atoms that may be unknown (null): `false && x` is false
 * and `true || x` is true whatever x is; otherwise an unknown operand makes the result unknown,
 * and `!unknown` is unknown.
 */
export function evaluateKleene<A>(expr: Expr<A>, atom: (a: A) => boolean | null): boolean | null {
  switch (expr.kind) {
    case 'atom':
      return atom(expr.atom);
    case 'not': {
      const v = evaluateKleene(expr.operand, atom);
      return v === null ? null : !v;
    }
    case 'and': {
      const l = evaluateKleene(expr.left, atom);
      if (l === false) return false;
      const r = evaluateKleene(expr.right, atom);
      if (r === false) return false;
      return l === null || r === null ? null : true;
    }
    case 'or': {
      const l = evaluateKleene(expr.left, atom);
      if (l === true) return true;
      const r = evaluateKleene(expr.right, atom);
      if (r === true) return true;
      return l === null || r === null ? null : false;
    }
  }
}
