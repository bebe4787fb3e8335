/**
 * Remembers the facts counted lately, so that one told twice is counted once. Temporal runs a workflow
 * task again when the server refuses its completion (a signal arrived while it completed, say), and the
 * sink calls of the refused run have already been made: the rerun tells the same facts again. A retried
 * task comes back within moments, so a bounded memory of the latest facts is enough.
 */
export class RecentFacts {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** True the first time `fact` is told (within the last `capacity` facts), false after. */
  isNew(fact: string): boolean {
    if (this.seen.has(fact)) return false;
    this.seen.add(fact);
    // A Set iterates in insertion order: the first entry is the oldest fact.
    if (this.seen.size > this.capacity) {
      const [oldest] = this.seen;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}
