/**
 * What a server or an outbound proxy says about an error in a text/plain
 * body, as cmd/go shows it (web.errorDetail): its first line only.
 */

/**
 * The first line of a text/plain explanation (a server's or a proxy's), as
 * cmd/go shows it: undefined when it is not valid UTF-8, is empty, or holds
 * control characters (no terminal funny business).
 */
export function firstTextLine(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  const line = (text.split('\n')[0] ?? '').replace(/\r$/, '');
  if (line.trim() === '' || /[\p{Cc}\p{Cf}]/u.test(line.replace(/\t/g, ''))) return undefined;
  return line;
}
