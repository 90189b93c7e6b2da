/**
 * `.netrc` files, parsed as cmd/go/internal/auth/netrc.go parseNetrc does:
 * `machine`, `login`, `password` pairs (a `machine` token starts a new
 * entry), `macdef` bodies skipped up to a blank line, and nothing after
 * `default`. Which entry a request uses is GOAUTH's business
 * (network/goAuth.ts). The values are secrets: callers never print them.
 */

export interface NetrcLine {
  machine: string;
  login: string;
  password: string;
}

export function parseNetrc(data: string): NetrcLine[] {
  const out: NetrcLine[] = [];
  let l: NetrcLine = { machine: '', login: '', password: '' };
  let inMacro = false;
  for (const line of data.split('\n')) {
    if (inMacro) {
      if (line === '') inMacro = false;
      continue;
    }
    const f = line.split(/\s+/).filter((x) => x !== '');
    let i = 0;
    for (; i < f.length - 1; i += 2) {
      const key = f[i];
      const value = f[i + 1] ?? '';
      if (key === 'machine') l = { machine: value, login: '', password: '' };
      else if (key === 'login') l.login = value;
      else if (key === 'password') l.password = value;
      else if (key === 'macdef') inMacro = true;
      if (l.machine !== '' && l.login !== '' && l.password !== '') {
        out.push(l);
        l = { machine: '', login: '', password: '' };
      }
    }
    if (i < f.length && f[i] === 'default') break;
  }
  return out;
}
