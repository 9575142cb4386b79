import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/billing';
import { Public } from '../auth/roles.decorator.js';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly em: EntityManager,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready when both stores answer within a second. */
  @Get('ready')
  async ready() {
    const within = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000))]);
    const [postgres, redis] = await Promise.allSettled([
      within(this.em.fork().execute('select 1')),
      within(this.redis.ping()),
    ]);
    const checks = { postgres: postgres.status === 'fulfilled' ? 'up' : 'down', redis: redis.status === 'fulfilled' ? 'up' : 'down' };
    if (checks.postgres === 'down' || checks.redis === 'down') {
      throw new ServiceUnavailableException({ message: `Not ready: ${JSON.stringify(checks)}`, checks });
    }
    return { status: 'ok', checks };
  }
}
