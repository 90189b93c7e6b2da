/**
 * Reading a file:// proxy (cmd/go web.getFile): a missing file is a 404
 * (NotFoundError, so the next proxy is tried), a permission error a 403.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { NetworkError, NotFoundError } from '../errors.js';

/** Open the file a file:// URL names; `size` is its length, for the same checks as Content-Length. */
export async function openFileUrl(url: string): Promise<{ body: Readable; size: number }> {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (err) {
    throw new NetworkError(url, `reading ${url}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: 'file:// proxy URLs must be absolute: file:///path/to/dir',
    });
  }
  try {
    const handle = await open(path, 'r');
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      return { body: createReadStream('', { fd: handle, autoClose: true }), size: st.size };
    } catch (err) {
      await handle.close();
      throw err;
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') throw new NotFoundError(`reading ${url}: no such file or directory`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new NetworkError(url, `reading ${url}: permission denied`, {
        status: 403,
        hint: 'make the file:// proxy directory readable by this user',
      });
    }
    throw new NetworkError(url, `reading ${url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
