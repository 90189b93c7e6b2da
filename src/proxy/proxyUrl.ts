/**
 * URLs of GOPROXY protocol files, built the way cmd/go builds them
 * (modfetch/proxy.go newProxyRepo + getBody): the case-escaped module path
 * and file name go through Go's url.PathEscape with `/` kept.
 *
 * Go's PathEscape leaves `+` alone, so `v2.0.0+incompatible` stays literal
 * (a server must not decode it as a space), and escapes `!` as `%21`, so
 * `github.com/Azure` is requested as `github.com/%21azure`: proxies must
 * percent-decode paths.
 */

/** Bytes Go's url.PathEscape keeps: unreserved characters and `$&+:=@`. */
const KEEP = /[A-Za-z0-9\-_.~$&+:=@]/;

/** Go's url.PathEscape with `%2F` turned back into `/`. */
export function pathEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '/' || KEEP.test(ch)) {
      out += ch;
    } else {
      for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * `<base>/<escaped module path>/<file>`, where file is `@v/list`,
 * `@v/<escaped version>.info` and so on. A trailing `/` on the base is
 * dropped, as cmd/go does.
 */
export function proxyUrl(base: string, escapedPath: string, file: string): string {
  return `${base.replace(/\/$/, '')}/${pathEscape(escapedPath)}/${pathEscape(file)}`;
}
