/**
 * The licences of served module versions, for the page: the root licence
 * files of each zip matched by the SBOM's matcher (sbom/licenseExpression.ts),
 * read on first need and remembered by the zip's sha256 (a zip in two
 * bundles, or in a bundle added later, is read once). Reading is bounded in
 * time per question: what is not known by then is reported as not yet known
 * and keeps being read in the background, so a module with hundreds of
 * versions never holds a page request for long, and serve's start-up reads
 * no zip at all.
 */
import { readLicenseFiles } from '../modzip/licenseFiles.js';
import { licenseExpression } from '../sbom/licenseExpression.js';

/** The longest a request waits for licences to be read. */
export const LICENSE_WAIT_MS = 1500;
/** Zips read at once. */
const READ_CONCURRENCY = 2;

export interface LicenseZip {
  file: string;
  sha256: string;
  /** `<module>@<version>/`, the zip's root. */
  prefix: string;
}

export class LicenseReader {
  readonly #known = new Map<string, string[]>();
  readonly #reading = new Map<string, Promise<void>>();
  #running = 0;
  readonly #queue: (() => void)[] = [];

  /** The licences of a zip if already read (SPDX ids or expressions, 'unknown' for an unmatched file, [] for none), else null. */
  known(zip: LicenseZip): string[] | null {
    return this.#known.get(zip.sha256) ?? null;
  }

  /** Read the zips not yet known; resolves when all are, or after `waitMs` (the rest go on in the background). */
  async read(zips: readonly LicenseZip[], waitMs = LICENSE_WAIT_MS): Promise<void> {
    const pending = zips.filter((z) => !this.#known.has(z.sha256)).map((z) => this.#start(z));
    if (pending.length === 0) return;
    // (setTimeout takes Infinity as 1 ms: waiting for all is its own case.)
    if (!Number.isFinite(waitMs)) {
      await Promise.all(pending);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(pending), new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }

  #start(z: LicenseZip): Promise<void> {
    const reading = this.#reading.get(z.sha256);
    if (reading !== undefined) return reading;
    const p: Promise<void> = this.#slot()
      .then(() => readLicenseFiles(z.file, z.prefix))
      .then(
        (files) => {
          this.#known.set(z.sha256, [...new Set(files.map((f) => licenseExpression(f.text) ?? 'unknown'))]);
        },
        // An unreadable zip (removed since it was verified) stays unknown; the page says so.
        () => undefined,
      )
      .finally(() => {
        this.#reading.delete(z.sha256);
        this.#running--;
        this.#queue.shift()?.();
      });
    this.#reading.set(z.sha256, p);
    return p;
  }

  #slot(): Promise<void> {
    if (this.#running < READ_CONCURRENCY) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((r) =>
      this.#queue.push(() => {
        this.#running++;
        r();
      }),
    );
  }
}
