/**
 * The certificate and key serve answers https with, read (at start and on
 * SIGHUP) and checked together, failing with a ServeTlsError that names the
 * file and says what to give, instead of a bare ENOENT or OpenSSL's message
 * reported as an internal error.
 */
import { createSecureContext } from 'node:tls';
import { fsReason } from '../files/fileSystemError.js';
import { ServeTlsError } from './serveErrors.js';

const TLS_HINT = 'give --tls-cert the PEM certificate (chain) and --tls-key its PEM private key, both readable by the user serve runs as';

/**
 * Read the certificate and key serve answers https with (`shown` is the path
 * as the flag gave it; `file` the path to read), checked together so that a
 * certificate and key that do not go together fail here, named.
 */
export async function readTlsFiles(
  cert: { shown: string; file: string },
  key: { shown: string; file: string },
  read: (file: string) => Promise<Buffer>,
): Promise<{ cert: Buffer; key: Buffer }> {
  const one = async (flag: string, f: { shown: string; file: string }): Promise<Buffer> => {
    try {
      return await read(f.file);
    } catch (err) {
      const why = fsReason(err) ?? (err instanceof Error ? err.message : String(err));
      throw new ServeTlsError(`serve ${flag} ${f.shown}: cannot read: ${why}`, { hint: TLS_HINT, cause: err });
    }
  };
  const tls = { cert: await one('--tls-cert', cert), key: await one('--tls-key', key) };
  try {
    createSecureContext(tls);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ServeTlsError(`serve --tls-cert ${cert.shown} --tls-key ${key.shown}: not a usable certificate and key: ${why}`, {
      hint: TLS_HINT,
      cause: err,
    });
  }
  return tls;
}
