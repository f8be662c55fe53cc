/**
 * A min-heap of (time, key) pairs, ordered by time then key, so "the oldest" is a function of
 * the contents alone: a queue rebuilt from a restored state pops in the same order as the one
 * built live, whatever order the keys were inserted in. Entries are never removed in place:
 * the owner checks each popped pair against its state and skips the ones that no longer hold
 * (lazy deletion). Stale pairs leave when their time comes, so the heap stays near the size
 * of what it tracks.
 */
export interface Deadline {
  at: number;
  key: string;
}

export class DeadlineQueue {
  private readonly heap: Deadline[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(at: number, key: string): void {
    const h = this.heap;
    h.push({ at, key });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** Keeps only the pairs `keep` accepts (the ones that still hold), re-heaped. */
  prune(keep: (d: Deadline) => boolean): void {
    const live = this.heap.filter(keep).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    this.heap.length = 0;
    this.heap.push(...live); // a sorted array is a valid heap
  }

  peek(): Deadline | undefined {
    return this.heap[0];
  }

  pop(): Deadline | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return top;
  }
}

function before(a: Deadline, b: Deadline): boolean {
  return a.at < b.at || (a.at === b.at && a.key < b.key);
}
