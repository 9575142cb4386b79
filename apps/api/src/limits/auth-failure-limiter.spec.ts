// Nest's core first, the rest by import() (the ESM cycle trap of Nest 12 under jest).
import '@nestjs/common';
import '@nestjs/core';
import { loadConfig } from '@app/billing';
import type { LimitsRedis } from './limits-redis.js';

const { AuthFailureLimiter } = await import('./auth-failure-limiter.js');
const { LimitsRedis: Store } = await import('./limits-redis.js');
const { SharedThrottlerStorage } = await import('./shared-throttler-storage.js');

// Nothing listens on port 1: Redis refuses every command, as in an outage.
const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:1', QUEUE_PREFIX: 'unit-limits', AUTH_FAILURES_PER_MINUTE: '3' });

describe('limits while Redis cannot answer', () => {
  let store: LimitsRedis;
  beforeAll(async () => {
    store = new Store(config);
    await store.onModuleInit();
  });
  afterAll(async () => {
    await store.onApplicationShutdown();
  });

  it('counts failed authentications in this process: over the limit the address is refused, another is not', async () => {
    const limiter = new AuthFailureLimiter(config, store);
    for (let i = 0; i < 3; i++) await expect(limiter.recordFailure('192.0.2.1')).resolves.toBeUndefined();
    await expect(limiter.recordFailure('192.0.2.1')).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(limiter.assertAllowed('192.0.2.1')).rejects.toMatchObject({ code: 'rate_limited' });
    const wait = await limiter.retryAfter('192.0.2.1');
    expect(wait).toBeGreaterThanOrEqual(59);
    expect(wait).toBeLessThanOrEqual(60);
    await expect(limiter.assertAllowed('192.0.2.2')).resolves.toBeUndefined();
  });

  it('counts the rate limit in this process rather than failing the request', async () => {
    const storage = new SharedThrottlerStorage(store);
    const hits = [];
    for (let i = 0; i < 3; i++) hits.push(await storage.increment('k', 60_000, 2, 60_000, 'default'));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    storage.onApplicationShutdown();
  });
});

describe('the clean-address answer', () => {
  // A stand-in for Redis that counts the reads: the API asks once a second, not on every request.
  const counting = () => {
    const counts = new Map<string, number>();
    const calls = { get: 0 };
    const redis = {
      get: async (key: string) => (calls.get++, counts.has(key) ? String(counts.get(key)) : null),
      pttl: async () => 60_000,
      multi: () => {
        let key = '';
        const chain = {
          incr: (k: string) => ((key = k), chain),
          pexpire: () => chain,
          pttl: () => chain,
          exec: async () => (counts.set(key, (counts.get(key) ?? 0) + 1), [[null, counts.get(key)], [null, 1], [null, 60_000]]),
        };
        return chain;
      },
    };
    const store = { orElse: (shared: (r: typeof redis) => Promise<unknown>) => shared(redis) } as unknown as LimitsRedis;
    return { store, calls };
  };

  it("is reused for a second, and forgotten at the address's own failure", async () => {
    const { store, calls } = counting();
    const limiter = new AuthFailureLimiter(config, store);
    for (let i = 0; i < 5; i++) await limiter.assertAllowed('192.0.2.9');
    expect(calls.get).toBe(1);
    // A failure of its own: the address is read again (and blocked past the limit at once).
    for (let i = 0; i < 3; i++) await limiter.recordFailure('192.0.2.9');
    await limiter.assertAllowed('192.0.2.9');
    expect(calls.get).toBe(2);
    await limiter.assertAllowed('192.0.2.9');
    expect(calls.get).toBe(3);
    await expect(limiter.recordFailure('192.0.2.9')).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(limiter.assertAllowed('192.0.2.9')).rejects.toMatchObject({ code: 'rate_limited' });
  });
});
