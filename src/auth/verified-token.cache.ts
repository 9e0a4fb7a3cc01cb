/**
 * A small LRU of recently verified tokens, so a client that reuses its token does not pay for
 * a signature check on every request. Bounded in size; each entry dies at its own deadline.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert: a Map iterates in insertion order, so the first key is the least recent.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear();
  }

  /** Keeps `value` until min(expiresAt, now + maxAge). */
  set(key: string, value: T, expiresAt: number, now: number): void {
    const deadline = Math.min(expiresAt, now + this.maxAgeMs);
    if (deadline <= now) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: deadline });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}
