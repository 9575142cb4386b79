import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { REDIS } from './redis.js';

/** How long a store may take to answer before it counts as down. */
const STORE_TIMEOUT_MS = 1000;

/** The two stores both apps need, as terminus health indicators (`postgres`, `redis`). */
@Injectable()
export class StoreHealth {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly em: EntityManager,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  postgres() {
    return this.indicators.check('postgres').attempt(async () => { await this.em.fork().execute('select 1'); }).withTimeout(STORE_TIMEOUT_MS);
  }

  redisPing() {
    return this.indicators.check('redis').attempt(async () => { await this.redis.ping(); }).withTimeout(STORE_TIMEOUT_MS);
  }
}
