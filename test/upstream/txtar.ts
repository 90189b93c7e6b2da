/**
 * The module fixture format read by the test upstream (main.go's
 * parseFixture): cmd/go's testdata/mod txtar, one module version per file.
 *
 *   A free-form comment line.
 *   module=example.com/a
 *   version=v1.0.0
 *   time=2023-01-02T15:04:05Z   (optional)
 *   pad=1048576                 (optional: adds pseudo-random pad.bin of that size)
 *   -- go.mod --
 *   module example.com/a
 *   -- a.go --
 *   package a
 *
 * Header lines are `key=value` with a lowercase key; other header lines are
 * comments. Each file's content is its lines, each ending in "\n". Without a
 * go.mod file the upstream serves the synthesized `module <path>\n`.
 */

export interface TxtarFile {
  name: string;
  data: string;
}

export interface ModuleFixture {
  module: string;
  version: string;
  /** RFC 3339; the upstream defaults to the pseudo-version's time or 2023-01-01. */
  time?: string;
  /** Size in bytes of the generated pad.bin. */
  pad?: number;
  /** Comment lines placed before the header. */
  comment?: string;
  files: TxtarFile[];
}

const HEADER_LINE = /^([a-z]+)=(.*)$/;
const FILE_MARKER = /^-- (.+) --$/;

/** Parse a fixture; `source` names it in error messages. */
export function parseModuleFixture(text: string, source = 'fixture'): ModuleFixture {
  const header = new Map<string, string>();
  const comments: string[] = [];
  const files: TxtarFile[] = [];
  let current: TxtarFile | undefined;
  const lines = text.split('\n');
  // A final "\n" ends the last line rather than starting an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const marker = FILE_MARKER.exec(line);
    if (marker) {
      current = { name: (marker[1] ?? '').trim(), data: '' };
      files.push(current);
      return;
    }
    if (current) {
      current.data += `${line}\n`;
      return;
    }
    const kv = HEADER_LINE.exec(line);
    if (!kv) {
      comments.push(line);
      return;
    }
    const key = kv[1] ?? '';
    if (!['module', 'version', 'time', 'pad'].includes(key)) {
      throw new Error(`${source}:${i + 1}: unknown header "${key}"`);
    }
    header.set(key, (kv[2] ?? '').trim());
  });
  const module = header.get('module');
  const version = header.get('version');
  if (!module || !version) throw new Error(`${source}: missing module= or version= header`);
  const fixture: ModuleFixture = { module, version, files };
  const time = header.get('time');
  if (time !== undefined) fixture.time = time;
  const pad = header.get('pad');
  if (pad !== undefined) {
    const n = Number(pad);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${source}: bad pad size "${pad}"`);
    fixture.pad = n;
  }
  if (comments.length > 0) fixture.comment = comments.join('\n');
  return fixture;
}

/** Format a fixture so that parseModuleFixture(formatModuleFixture(f)) equals f (file data ending in "\n"). */
export function formatModuleFixture(f: ModuleFixture): string {
  let out = '';
  if (f.comment !== undefined) {
    for (const line of f.comment.split('\n')) {
      if (HEADER_LINE.test(line) || FILE_MARKER.test(line)) {
        throw new Error(`comment line ${JSON.stringify(line)} would be read as a header or file marker`);
      }
      out += `${line}\n`;
    }
  }
  out += `module=${f.module}\nversion=${f.version}\n`;
  if (f.time !== undefined) out += `time=${f.time}\n`;
  if (f.pad !== undefined) out += `pad=${f.pad}\n`;
  for (const file of f.files) {
    out += `-- ${file.name} --\n`;
    for (const line of file.data.split('\n').slice(0, file.data.endsWith('\n') ? -1 : undefined)) {
      if (FILE_MARKER.test(line)) throw new Error(`${f.module}@${f.version}: ${file.name} contains a file marker line`);
    }
    out += file.data;
    if (file.data !== '' && !file.data.endsWith('\n')) out += '\n';
  }
  return out;
}

/** A file name for a fixture, unique per module version and safe on case-insensitive file systems. */
export function fixtureFileName(module: string, version: string): string {
  // Module paths never contain "+" or "@", so "/" → "+" cannot collide.
  const lower = (s: string): string => s.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
  return `${lower(module).replaceAll('/', '+')}@${lower(version)}.txt`;
}
