/**
 * Offsets of one fetched batch, resolved strictly in order: records finish in any order (a
 * window of them is in flight), but an offset may be committed only once it and every earlier
 * record of the batch are done, whether handled or dead-lettered. Pure, so its order is
 * unit-tested without a broker.
 */
export class InOrderOffsets {
  private readonly done: boolean[];
  private resolved = 0;

  constructor(private readonly offsets: readonly string[]) {
    this.done = new Array<boolean>(offsets.length).fill(false);
  }

  /** Marks record `index` finished; returns the offsets that became resolvable, oldest first. */
  finish(index: number): string[] {
    this.done[index] = true;
    const out: string[] = [];
    while (this.resolved < this.offsets.length && this.done[this.resolved]) out.push(this.offsets[this.resolved++]!);
    return out;
  }

  /** How many leading records are resolved. */
  get resolvedCount(): number {
    return this.resolved;
  }
}
