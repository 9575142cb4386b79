import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '@app/billing';
import { ProblemException } from '../common/problem.exception.js';
import { LimitsRedis } from './limits-redis.js';

const WINDOW_MS = 60_000;
/** Bounds this process's own maps (blocked addresses, fallback counters): the oldest go first. */
const MAX_LOCAL_ENTRIES = 10_000;
/**
 * How long an address read from Redis with no failure at all is taken as clean without asking
 * again: the read was one Redis round trip on every authenticated request. A block started by
 * another process reaches this one within this time (at once for this process's own failures).
 */
const CLEAN_FOR_MS = 1_000;

/** Failures of one address in its current window, and the milliseconds left in it. */
interface Window {
  count: number;
  msLeft: number;
}

/**
 * Failed authentications per client address (API keys, ADMIN_TOKEN, the dashboard's sign-in,
 * Bull Board): more than AUTH_FAILURES_PER_MINUTE in a window of a minute (from the address's
 * first failure) and the address gets 429 for the rest of it, whatever it sends. Checked before
 * any key lookup, so a blocked address costs no query. Counted in Redis, shared by every API
 * process; never off (RATE_LIMIT_PER_MINUTE has no say here).
 *
 *   await limiter.assertAllowed(address);      // before looking at the credentials
 *   await limiter.recordFailure(address);      // when they are refused (throws 429 past the limit)
 */
@Injectable()
export class AuthFailureLimiter {
  readonly limit: number;
  /** Addresses known to be blocked, until when: a flood from one costs no Redis round trip. */
  private readonly blockedUntil = new Map<string, number>();
  /** This process's own counters, used only while Redis cannot answer. */
  private readonly local = new Map<string, { count: number; resetAt: number }>();
  /** Addresses Redis had no failure of, until when that answer is reused. */
  private readonly cleanUntil = new Map<string, number>();

  constructor(
    @Inject(AppConfig) config: AppConfig,
    private readonly store: LimitsRedis,
  ) {
    this.limit = config.AUTH_FAILURES_PER_MINUTE;
  }

  /** Seconds until `address` may authenticate again; 0 when it may now. */
  async retryAfter(address: string): Promise<number> {
    const until = this.blockedUntil.get(address);
    if (until !== undefined) {
      if (until > Date.now()) return Math.ceil((until - Date.now()) / 1000);
      this.blockedUntil.delete(address);
    }
    const clean = this.cleanUntil.get(address);
    if (clean !== undefined) {
      if (clean > Date.now()) return 0;
      this.cleanUntil.delete(address);
    }
    let shared = true;
    const window = await this.store.orElse(
      (redis) => readShared(redis, address),
      () => ((shared = false), this.readLocal(address)),
    );
    // Only a shared answer of no failure at all is reused: an address with some is read each time.
    if (shared && window.count === 0) remember(this.cleanUntil, address, Date.now() + CLEAN_FOR_MS);
    return this.blockedFor(address, window);
  }

  /** Throws `429 rate_limited` (with Retry-After) while `address` is blocked. */
  async assertAllowed(address: string): Promise<void> {
    const seconds = await this.retryAfter(address);
    if (seconds > 0) throw this.tooMany(seconds);
  }

  /**
   * Counts one failed authentication of `address`; the seconds it is now blocked for (0: not).
   * The failure that goes over the limit is itself answered 429 by `recordFailure`.
   */
  async countFailure(address: string): Promise<number> {
    this.cleanUntil.delete(address);
    const window = await this.store.orElse(
      (redis) => countShared(redis, address),
      () => this.countLocal(address),
    );
    return this.blockedFor(address, window);
  }

  /** Counts a failure and throws `429 rate_limited` when it went over the limit; the caller then answers its 401. */
  async recordFailure(address: string): Promise<void> {
    const seconds = await this.countFailure(address);
    if (seconds > 0) throw this.tooMany(seconds);
  }

  tooMany(seconds: number): ProblemException {
    return new ProblemException('rate_limited', this.refusal(seconds), { retryAfter: seconds });
  }

  /** The `detail` of the 429, for callers that answer it themselves. */
  refusal(seconds: number): string {
    return `More than ${this.limit} failed authentications from this address in a minute; retry in ${seconds} s`;
  }

  private blockedFor(address: string, { count, msLeft }: Window): number {
    if (count <= this.limit || msLeft <= 0) return 0;
    remember(this.blockedUntil, address, Date.now() + msLeft);
    return Math.ceil(msLeft / 1000);
  }

  private readLocal(address: string): Window {
    const entry = this.local.get(address);
    const now = Date.now();
    return entry && entry.resetAt > now ? { count: entry.count, msLeft: entry.resetAt - now } : { count: 0, msLeft: 0 };
  }

  private countLocal(address: string): Window {
    const now = Date.now();
    const entry = this.local.get(address);
    const next = entry && entry.resetAt > now ? { count: entry.count + 1, resetAt: entry.resetAt } : { count: 1, resetAt: now + WINDOW_MS };
    remember(this.local, address, next);
    return { count: next.count, msLeft: next.resetAt - now };
  }
}

const keyOf = (address: string) => `auth-failures:${address}`;

async function readShared(redis: Redis, address: string): Promise<Window> {
  const count = await redis.get(keyOf(address));
  if (count === null) return { count: 0, msLeft: 0 };
  return { count: Number(count), msLeft: await redis.pttl(keyOf(address)) };
}

/** One transaction: the window starts with the address's first failure and is never extended. */
async function countShared(redis: Redis, address: string): Promise<Window> {
  const results = await redis.multi().incr(keyOf(address)).pexpire(keyOf(address), WINDOW_MS, 'NX').pttl(keyOf(address)).exec();
  const failed = results?.find(([error]) => error);
  if (!results || failed) throw failed?.[0] ?? new Error('Redis discarded the transaction');
  return { count: Number(results[0]![1]), msLeft: Number(results[2]![1]) };
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  if (map.size >= MAX_LOCAL_ENTRIES) map.delete(map.keys().next().value!);
  map.set(key, value);
}
