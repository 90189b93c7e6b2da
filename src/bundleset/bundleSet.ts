/**
 * The bundles being served, as one current ModuleIndex that is replaced
 * (never mutated) when bundles are added. Additions are serialized, and a
 * bundle that conflicts with what is served is refused with the index left
 * as it was.
 */
import type { OpenedBundle } from '../bundle/reader.js';
import { ModuleIndex } from './moduleIndex.js';
import { checkParentsServed } from '../bundle/bundleParents.js';

export class BundleSet {
  private index: ModuleIndex = ModuleIndex.empty();
  private queue: Promise<unknown> = Promise.resolve();

  get current(): ModuleIndex {
    return this.index;
  }

  /**
   * Add bundles; throws BundleConflictError if any file differs from a
   * served one, MissingParentError if a delta's parents are not served (or
   * among `bundles`), and changes nothing then.
   */
  add(bundles: readonly OpenedBundle[]): Promise<void> {
    const next = this.queue.then(async () => {
      const all = [...this.index.bundles, ...bundles];
      checkParentsServed(all);
      this.index = await ModuleIndex.build(all);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
