import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Response } from 'express';
import { REDIS } from '@app/billing';
import { JobDrain } from './job-drain.service.js';

const within = <T>(p: Promise<T>, ms = 1000) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

/** The worker's liveness and readiness (Postgres, Redis, and not draining), on WORKER_PORT. */
@Controller('health')
export class WorkerHealthController {
  constructor(
    private readonly em: EntityManager,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly drain: JobDrain,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    const [postgres, redis] = await Promise.allSettled([within(this.em.fork().execute('select 1')), within(this.redis.ping())]);
    const checks = {
      postgres: postgres.status === 'fulfilled' ? 'up' : 'down',
      redis: redis.status === 'fulfilled' ? 'up' : 'down',
      jobs: this.drain.draining ? 'draining' : 'taking',
    };
    const ready = checks.postgres === 'up' && checks.redis === 'up' && !this.drain.draining;
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ status: ready ? 'ok' : 'unavailable', checks });
  }
}
