import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { StoreHealth } from '@app/billing';
import { JobDrain } from './job-drain.service.js';

/** The worker's liveness and readiness (Postgres, Redis, and not draining), on WORKER_PORT. */
@Controller('health')
export class WorkerHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly stores: StoreHealth,
    private readonly indicators: HealthIndicatorService,
    private readonly drain: JobDrain,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.stores.postgres(), () => this.stores.redisPing(), () => this.takingJobs()]);
  }

  /** A draining worker finishes what it holds and takes nothing new: not ready. */
  private takingJobs() {
    const jobs = this.indicators.check('jobs');
    return this.drain.draining ? jobs.down({ state: 'draining' }) : jobs.up({ state: 'taking' });
  }
}
