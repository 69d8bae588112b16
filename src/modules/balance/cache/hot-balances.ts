/** A balance the sync job can re-read from Postgres. */
export interface HotBalance {
  ledgerId: string;
  id: string;
}

/**
 * Counts reads and writes per balance in this process, so the sync job can check (and, after a
 * flush, warm) the most used balances. Bounded: once full, only known balances are counted.
 */
export class HotBalances {
  private readonly counts = new Map<string, { ref: HotBalance; n: number }>();

  constructor(private readonly capacity = 50_000) {}

  touch(ref: HotBalance): void {
    const entry = this.counts.get(ref.id);
    if (entry) entry.n++;
    else if (this.counts.size < this.capacity) this.counts.set(ref.id, { ref: { ledgerId: ref.ledgerId, id: ref.id }, n: 1 });
  }

  /** The `n` most used balances since the last call; counting starts over. */
  take(n: number): HotBalance[] {
    const top = [...this.counts.values()].sort((a, b) => b.n - a.n).slice(0, n).map((e) => e.ref);
    this.counts.clear();
    return top;
  }
}
