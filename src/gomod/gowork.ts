/**
 * go.work files, read like the go command reads them (x/mod modfile
 * work.go, ParseWork with no version fixer): go, toolchain, godebug, use and
 * replace; anything else is an error. Replacement versions that are valid
 * but not canonical are canonicalized, as ParseWork does.
 */
import { FileSyntaxError } from '../errors.js';
import { parseSyntax, type Line } from './modfileLexer.js';
import { GO_VERSION_RE, LineError, parseGodebugDirective, parseReplace, parseString, parseToolchainDirective } from './modfile.js';

export interface WorkFile {
  file: string;
  go: string | undefined;
  toolchain: string | undefined;
  godebug: { key: string; value: string; line: number }[];
  /** Module directories, as written (relative to the go.work directory unless absolute). */
  use: { path: string; line: number }[];
  replace: { old: { path: string; version: string }; new: { path: string; version: string }; local: boolean; line: number }[];
}

const WORK_BLOCK_VERBS = new Set(['godebug', 'use', 'replace']);

/** Parses a go.work file; throws FileSyntaxError at the first error the go command would list. */
export function parseWorkFile(file: string, data: string | Uint8Array, opts: { windows?: boolean } = {}): WorkFile {
  const windows = opts.windows ?? false;
  const syntax = parseSyntax(file, data);
  const f: WorkFile = { file, go: undefined, toolchain: undefined, godebug: [], use: [], replace: [] };
  const errors: FileSyntaxError[] = [];

  const add = (line: Line, verb: string, args: string[]): void => {
    const n = line.start.line;
    switch (verb) {
      default:
        throw new LineError(`unknown directive: ${verb}`);
      case 'go': {
        if (f.go !== undefined) throw new LineError('repeated go statement');
        if (args.length !== 1) throw new LineError('go directive expects exactly one argument');
        const v = args[0] as string;
        if (!GO_VERSION_RE.test(v)) throw new LineError(`invalid go version '${v}': must match format 1.23.0`);
        f.go = v;
        return;
      }
      case 'toolchain':
        f.toolchain = parseToolchainDirective(f.toolchain, args);
        return;
      case 'godebug':
        f.godebug.push({ ...parseGodebugDirective(args), line: n });
        return;
      case 'use':
        if (args.length !== 1) throw new LineError(`usage: ${verb} local/dir`);
        f.use.push({ path: parseString(args[0] as string), line: n });
        return;
      case 'replace':
        f.replace.push({ ...parseReplace(verb, args, 'canonicalize', windows), line: n });
        return;
    }
  };

  const tryAdd = (line: Line, verb: string, args: string[]): void => {
    try {
      add(line, verb, args);
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      errors.push(new FileSyntaxError(file, line.start.line, line.start.col, err.message));
    }
  };

  for (const x of syntax.stmts) {
    if (x.kind === 'line') {
      tryAdd(x, x.tokens[0] as string, x.tokens.slice(1));
    } else if (x.kind === 'block') {
      if (x.tokens.length > 1 || !WORK_BLOCK_VERBS.has(x.tokens[0] as string)) {
        errors.push(new FileSyntaxError(file, x.start.line, x.start.col, `unknown block type: ${x.tokens.join(' ')}`));
        continue;
      }
      for (const l of x.lines) tryAdd(l, x.tokens[0] as string, l.tokens);
    }
  }
  if (errors.length > 0) throw errors[0];
  return f;
}
