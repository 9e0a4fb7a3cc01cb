import { CachedCheck } from './cached-check';

describe('CachedCheck', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  function controlled() {
    const calls: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
    const check = () =>
      new Promise<void>((resolve, reject) => {
        calls.push({ resolve, reject });
      });
    return { calls, check };
  }

  it('shares one check among concurrent callers', async () => {
    const { calls, check } = controlled();
    const cached = new CachedCheck(check, 5000, now);
    const waiting = Array.from({ length: 100 }, () => cached.run());
    expect(calls).toHaveLength(1);
    calls[0].resolve();
    await Promise.all(waiting);
  });

  it('keeps a success for the TTL after it settled, then checks again', async () => {
    const { calls, check } = controlled();
    const cached = new CachedCheck(check, 5000, now);
    const first = cached.run();
    clock += 3000; // a slow check: the TTL counts from when it settled
    calls[0].resolve();
    await first;
    clock += 4999;
    await cached.run();
    expect(calls).toHaveLength(1);
    clock += 1;
    const second = cached.run();
    expect(calls).toHaveLength(2);
    calls[1].resolve();
    await second;
  });

  it('keeps a failure just as long, and hands every caller the same error', async () => {
    const { calls, check } = controlled();
    const cached = new CachedCheck(check, 5000, now);
    const first = cached.run();
    calls[0].reject(new Error('down'));
    await expect(first).rejects.toThrow('down');
    clock += 4000;
    await expect(cached.run()).rejects.toThrow('down');
    expect(calls).toHaveLength(1);
    clock += 1000;
    const next = cached.run();
    calls[1].resolve();
    await expect(next).resolves.toBeUndefined();
  });

  it('with a TTL of 0 only joins a check in flight', async () => {
    const { calls, check } = controlled();
    const cached = new CachedCheck(check, 0, now);
    const a = cached.run();
    const b = cached.run();
    calls[0].resolve();
    await Promise.all([a, b]);
    const c = cached.run();
    expect(calls).toHaveLength(2);
    calls[1].resolve();
    await c;
  });
});
