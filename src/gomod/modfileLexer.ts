/**
 * The token and statement syntax shared by go.mod and go.work files: a port
 * of golang.org/x/mod/modfile read.go (lexer, line/block parser, comment
 * attachment) plus the Go string quoting the files use.
 *
 * The directive meaning lives in modfile.ts and gowork.ts; this file only
 * knows lines, blocks, tokens and comments. Positions are 1-based lines and
 * columns counted in code points, like x/mod's Position.LineRune, so error
 * messages point where the go command points.
 */
import { FileSyntaxError } from '../errors.js';
import { goQuote, goQuoteRune } from './goQuote.js';
import { isGoPrint } from './goUnicode.js';

export interface Position {
  line: number;
  /** 1-based column in code points. */
  col: number;
  /** Offset in UTF-16 units; only compared, never shown. */
  offset: number;
}

export interface Comment {
  start: Position;
  /** The comment text including `//`, without the trailing newline; '' marks a blank line inside a block. */
  token: string;
  suffix: boolean;
}

export interface Comments {
  /** Whole-line comments directly above. */
  before: Comment[];
  /** End-of-line comments. */
  suffix: Comment[];
}

export interface Line {
  kind: 'line';
  start: Position;
  end: Position;
  tokens: string[];
  inBlock: boolean;
  comments: Comments;
}

export interface LineBlock {
  kind: 'block';
  start: Position;
  tokens: string[];
  lparen: { pos: Position; comments: Comments };
  lines: Line[];
  rparen: { pos: Position; comments: Comments };
  comments: Comments;
}

export interface CommentBlock {
  kind: 'comments';
  start: Position;
  comments: Comments;
}

export type Stmt = Line | LineBlock | CommentBlock;

export interface FileSyntax {
  name: string;
  stmts: Stmt[];
}

const enum Tok {
  EOF = -1,
  EOLComment = -2,
  Ident = -3,
  String = -4,
  Comment = -5,
  Newline = 10,
  LParen = 40,
  RParen = 41,
  Comma = 44,
  LBrack = 91,
  RBrack = 93,
  LBrace = 123,
  RBrace = 125,
}

interface Token {
  kind: Tok;
  pos: Position;
  endPos: Position;
  text: string;
}

function isEOL(k: Tok): boolean {
  return k === Tok.EOF || k === Tok.EOLComment || k === Tok.Newline;
}

/** Go's unicode.IsPrint with Go's own Unicode tables (JavaScript's \p{…} follow another Unicode version). */
function isPrint(ch: string): boolean {
  return isGoPrint(ch.codePointAt(0) as number);
}

/** x/mod isIdent: most printable runes, except a handful of ASCII punctuation. */
function isIdent(ch: string): boolean {
  switch (ch) {
    case ' ':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case ',':
      return false;
    default:
      // A printable rune other than ' ' is never a Go space.
      return ch !== '' && isPrint(ch);
  }
}

/**
 * Decodes go.mod bytes the way the go command reads them: UTF-8, a byte
 * order mark kept (x/mod rejects it as an unexpected input character).
 * Invalid UTF-8 becomes U+FFFD; the go command would keep the raw bytes, but
 * no such file passes module path checks anyway.
 */
export function decodeModText(data: string | Uint8Array): string {
  return typeof data === 'string' ? data : new TextDecoder('utf-8', { ignoreBOM: true }).decode(data);
}

class Lexer {
  private i = 0;
  private line = 1;
  private col = 1;
  private tokenStart = 0;
  token: Token = { kind: Tok.EOF, pos: { line: 1, col: 1, offset: 0 }, endPos: { line: 1, col: 1, offset: 0 }, text: '' };
  /** End-of-line comments, attached to syntax after parsing. */
  readonly suffixComments: Comment[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  pos(): Position {
    return { line: this.line, col: this.col, offset: this.i };
  }

  fail(reason: string, at: Position = this.pos()): never {
    throw new FileSyntaxError(this.file, at.line, at.col, reason);
  }

  private eof(): boolean {
    return this.i >= this.text.length;
  }

  private peekRune(): string {
    if (this.eof()) return '';
    const cp = this.text.codePointAt(this.i) as number;
    return String.fromCodePoint(cp);
  }

  private readRune(): string {
    const r = this.peekRune();
    this.i += r.length;
    if (r === '\n') {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return r;
  }

  private startToken(): void {
    this.tokenStart = this.i;
    this.token = { kind: Tok.EOF, pos: this.pos(), endPos: this.pos(), text: '' };
  }

  private endToken(kind: Tok): void {
    let text = this.text.slice(this.tokenStart, this.i);
    if (kind === Tok.Comment || kind === Tok.EOLComment) {
      if (text.endsWith('\r\n')) text = text.slice(0, -2);
      else if (text.endsWith('\n')) text = text.slice(0, -1);
    }
    this.token = { kind, pos: this.token.pos, endPos: this.pos(), text };
  }

  peek(): Tok {
    return this.token.kind;
  }

  lex(): Token {
    const tok = this.token;
    this.readToken();
    return tok;
  }

  readToken(): void {
    while (!this.eof()) {
      const c = this.peekRune();
      if (c === ' ' || c === '\t' || c === '\r') {
        this.readRune();
        continue;
      }
      if (this.text.startsWith('//', this.i)) {
        this.startToken();
        // A comment alone on its line is handed to the parser; one after
        // tokens is kept for attachment to the syntax before it.
        const lineStart = this.text.lastIndexOf('\n', this.i - 1) + 1;
        const suffix = this.text.slice(lineStart, this.i).trim().length > 0;
        this.readRune();
        this.readRune();
        while (!this.eof() && this.readRune() !== '\n') {
          // consume to end of line
        }
        if (!suffix) {
          this.endToken(Tok.Comment);
          return;
        }
        this.endToken(Tok.EOLComment);
        this.suffixComments.push({ start: this.token.pos, token: this.token.text, suffix: true });
        return;
      }
      if (this.text.startsWith('/*', this.i)) {
        this.fail('mod files must use // comments (not /* */ comments)');
      }
      break;
    }

    this.startToken();
    if (this.eof()) {
      this.endToken(Tok.EOF);
      return;
    }

    const c = this.peekRune();
    switch (c) {
      case '\n':
      case '(':
      case ')':
      case '[':
      case ']':
      case '{':
      case '}':
      case ',':
        this.readRune();
        this.endToken(c.charCodeAt(0) as Tok);
        return;
      case '"':
      case '`': {
        const quote = c;
        this.readRune();
        for (;;) {
          if (this.eof()) this.fail('unexpected EOF in string', this.token.pos);
          if (this.peekRune() === '\n') this.fail('unexpected newline in string');
          const r = this.readRune();
          if (r === quote) break;
          if (r === '\\' && quote !== '`') {
            if (this.eof()) this.fail('unexpected EOF in string', this.token.pos);
            this.readRune();
          }
        }
        this.endToken(Tok.String);
        return;
      }
    }

    if (!isIdent(c)) this.fail(`unexpected input character ${goQuoteRune(c)}`);
    while (isIdent(this.peekRune())) {
      if (this.text.startsWith('//', this.i)) break;
      if (this.text.startsWith('/*', this.i)) this.fail('mod files must use // comments (not /* */ comments)');
      this.readRune();
    }
    this.endToken(Tok.Ident);
  }
}

function noComments(): Comments {
  return { before: [], suffix: [] };
}

class Parser {
  readonly stmts: Stmt[] = [];

  constructor(private readonly in_: Lexer) {}

  parseFile(): void {
    const lx = this.in_;
    let cb: CommentBlock | undefined;
    for (;;) {
      switch (lx.peek()) {
        case Tok.Newline:
          lx.lex();
          if (cb) {
            this.stmts.push(cb);
            cb = undefined;
          }
          break;
        case Tok.Comment: {
          const tok = lx.lex();
          if (!cb) cb = { kind: 'comments', start: tok.pos, comments: noComments() };
          cb.comments.before.push({ start: tok.pos, token: tok.text, suffix: false });
          break;
        }
        case Tok.EOF:
          if (cb) this.stmts.push(cb);
          return;
        default:
          this.parseStmt();
          if (cb) {
            (this.stmts[this.stmts.length - 1] as Stmt).comments.before = cb.comments.before;
            cb = undefined;
          }
      }
    }
  }

  private parseStmt(): void {
    const lx = this.in_;
    const first = lx.lex();
    const start = first.pos;
    let end = first.endPos;
    const tokens = [first.text];
    for (;;) {
      const tok = lx.lex();
      if (isEOL(tok.kind)) {
        this.stmts.push({ kind: 'line', start, end, tokens, inBlock: false, comments: noComments() });
        return;
      }
      if (tok.kind === Tok.LParen) {
        const next = lx.peek();
        if (isEOL(next)) {
          this.stmts.push(this.parseLineBlock(start, tokens, tok));
          return;
        }
        if (next === Tok.RParen) {
          const rparen = lx.lex();
          if (isEOL(lx.peek())) {
            lx.lex();
            this.stmts.push({
              kind: 'block',
              start,
              tokens,
              lparen: { pos: tok.pos, comments: noComments() },
              lines: [],
              rparen: { pos: rparen.pos, comments: noComments() },
              comments: noComments(),
            });
            return;
          }
          // '( )' in the middle of a line is not a block.
          tokens.push(tok.text, rparen.text);
        } else {
          tokens.push(tok.text);
        }
        continue;
      }
      tokens.push(tok.text);
      end = tok.endPos;
    }
  }

  private parseLineBlock(start: Position, tokens: string[], lparen: Token): LineBlock {
    const lx = this.in_;
    const x: LineBlock = {
      kind: 'block',
      start,
      tokens,
      lparen: { pos: lparen.pos, comments: noComments() },
      lines: [],
      rparen: { pos: lparen.pos, comments: noComments() },
      comments: noComments(),
    };
    let comments: Comment[] = [];
    for (;;) {
      switch (lx.peek()) {
        case Tok.EOLComment:
          lx.lex();
          break;
        case Tok.Newline:
          lx.lex();
          // A blank line is kept as an empty comment (x/mod does this to
          // preserve layout; it also decides whose comments a retract uses).
          if (
            (comments.length === 0 && x.lines.length > 0) ||
            (comments.length > 0 && (comments[comments.length - 1] as Comment).token !== '')
          ) {
            comments.push({ start: { line: 0, col: 0, offset: 0 }, token: '', suffix: false });
          }
          break;
        case Tok.Comment: {
          const tok = lx.lex();
          comments.push({ start: tok.pos, token: tok.text, suffix: false });
          break;
        }
        case Tok.EOF:
          return lx.fail(`syntax error (unterminated block started at ${lx.file}:${x.start.line}:${x.start.col})`);
        case Tok.RParen: {
          const rparen = lx.lex();
          x.rparen.comments.before = comments;
          x.rparen.pos = rparen.pos;
          if (!isEOL(lx.peek())) lx.fail('syntax error (expected newline after closing paren)');
          lx.lex();
          return x;
        }
        default: {
          const l = this.parseLine();
          x.lines.push(l);
          l.comments.before = comments;
          comments = [];
        }
      }
    }
  }

  private parseLine(): Line {
    const lx = this.in_;
    const first = lx.lex();
    const start = first.pos;
    let end = first.endPos;
    const tokens = [first.text];
    for (;;) {
      const tok = lx.lex();
      if (isEOL(tok.kind)) return { kind: 'line', start, end, tokens, inBlock: true, comments: noComments() };
      tokens.push(tok.text);
      end = tok.endPos;
    }
  }
}

interface Spanned {
  start: Position;
  end: Position;
  comments: Comments;
}

/**
 * Attaches end-of-line comments to the syntax just before them on the same
 * line, walking x/mod's postorder list backwards exactly as assignComments
 * does (whole-line comments were attached by the parser already).
 */
function assignSuffixComments(stmts: Stmt[], suffix: Comment[]): void {
  const post: Spanned[] = [];
  for (const s of stmts) {
    if (s.kind === 'line') post.push({ start: s.start, end: s.end, comments: s.comments });
    else if (s.kind === 'comments') post.push({ start: s.start, end: s.start, comments: s.comments });
    else {
      post.push({ start: s.lparen.pos, end: advance(s.lparen.pos), comments: s.lparen.comments });
      for (const l of s.lines) post.push({ start: l.start, end: l.end, comments: l.comments });
      post.push({ start: s.rparen.pos, end: advance(s.rparen.pos), comments: s.rparen.comments });
      post.push({ start: s.start, end: advance(s.rparen.pos), comments: s.comments });
    }
  }
  const pending = [...suffix];
  for (let i = post.length - 1; i >= 0; i--) {
    const x = post[i] as Spanned;
    if (x.start.line !== x.end.line) continue;
    while (pending.length > 0 && x.end.offset <= (pending[pending.length - 1] as Comment).start.offset) {
      x.comments.suffix.push(pending.pop() as Comment);
    }
  }
  for (const x of post) x.comments.suffix.reverse();
}

function advance(p: Position): Position {
  return { line: p.line, col: p.col + 1, offset: p.offset + 1 };
}

/** Parses go.mod / go.work syntax into lines and blocks; throws FileSyntaxError at the first lexical or structural error. */
export function parseSyntax(file: string, data: string | Uint8Array): FileSyntax {
  const lx = new Lexer(file, decodeModText(data));
  lx.readToken();
  const p = new Parser(lx);
  p.parseFile();
  assignSuffixComments(p.stmts, lx.suffixComments);
  return { name: file, stmts: p.stmts };
}

// ---- Go string literals as go.mod tokens (strconv.Unquote, modfile.MustQuote/AutoQuote) ----

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };

/**
 * strconv.Unquote for a double-quoted literal; undefined on invalid syntax.
 * \x and octal escapes produce raw bytes, decoded as UTF-8 at the end (the go
 * command would keep invalid bytes; they become U+FFFD here).
 */
export function goUnquote(s: string): string | undefined {
  if (s.length < 2 || !s.startsWith('"') || !s.endsWith('"')) return undefined;
  const body = s.slice(1, -1);
  const bytes: number[] = [];
  const enc = new TextEncoder();
  const pushRune = (cp: number) => {
    for (const b of enc.encode(String.fromCodePoint(cp))) bytes.push(b);
  };
  for (let i = 0; i < body.length;) {
    const cp = body.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    if (ch === '"' || ch === '\n') return undefined;
    if (ch !== '\\') {
      pushRune(cp);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      bytes.push(simple);
      i += 2;
      continue;
    }
    if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const digits = body.slice(i + 2, i + 2 + n);
      if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) return undefined;
      const v = parseInt(digits, 16);
      if (e === 'x') bytes.push(v);
      else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
        pushRune(v);
      }
      i += 2 + n;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const digits = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(digits)) return undefined;
      const v = parseInt(digits, 8);
      if (v > 255) return undefined;
      bytes.push(v);
      i += 4;
      continue;
    }
    return undefined;
  }
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array(bytes));
}

/** modfile.MustQuote: whether s must be quoted to be a single go.mod token. */
export function mustQuote(s: string): boolean {
  for (const ch of s) {
    switch (ch) {
      case ' ':
      case '"':
      case "'":
      case '`':
        return true;
      case '(':
      case ')':
      case '[':
      case ']':
      case '{':
      case '}':
      case ',':
        // Go compares the byte length; these are one byte each.
        if (new TextEncoder().encode(s).length > 1) return true;
        break;
      default:
        if (!isPrint(ch)) return true;
    }
  }
  return s === '' || s.includes('//') || s.includes('/*');
}

/** modfile.AutoQuote: s, or its Go quotation when s must be quoted. */
export function autoQuote(s: string): string {
  return mustQuote(s) ? goQuote(s) : s;
}
