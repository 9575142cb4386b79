import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { REDIS } from '@app/billing';
import { Public } from '../auth/roles.decorator.js';

const CHECK = { type: 'string', enum: ['up', 'down'] };
const READY_SCHEMA = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] }, checks: { type: 'object', properties: { postgres: CHECK, redis: CHECK }, required: ['postgres', 'redis'] } },
  required: ['status', 'checks'],
};

@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly em: EntityManager,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('live')
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } })
  live() {
    return { status: 'ok' };
  }

  /** Ready when both stores answer within a second. */
  @Get('ready')
  @ApiOkResponse({ schema: READY_SCHEMA, description: 'Postgres and Redis answer' })
  @ApiServiceUnavailableResponse({ description: 'Postgres or Redis does not answer within a second' })
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
