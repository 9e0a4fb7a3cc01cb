/**
 * One check shared by everyone who asks while it runs (single flight), and its result, success
 * or failure alike, handed out for `ttlMs` after it settled. A failure is kept as long as a
 * success: a flood of probes against a failing Segura must not become a flood of calls to it.
 */
export class CachedCheck {
  private current?: { result: Promise<void>; expiresAt: number };

  constructor(
    private readonly check: () => Promise<void>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  run(): Promise<void> {
    const current = this.current;
    if (current && this.now() < current.expiresAt) return current.result;
    const entry = { result: this.check(), expiresAt: Infinity };
    const settled = () => {
      entry.expiresAt = this.now() + this.ttlMs;
    };
    entry.result.then(settled, settled);
    this.current = entry;
    return entry.result;
  }
}
