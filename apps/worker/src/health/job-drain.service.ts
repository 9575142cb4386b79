import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AppConfig } from '@app/billing';
import { JobInstrumentation } from '../metrics/job-instrumentation.service.js';
import { bullWorkers } from './bull-workers.js';

/**
 * Graceful stop: before Nest closes anything (the database, Redis), the BullMQ workers stop
 * taking jobs and finish the ones they hold (`worker.close()` waits for active jobs). Past
 * SHUTDOWN_TIMEOUT_MS they are closed by force: an abandoned job's transaction rolls back with
 * the connection (the command row keeps its state from before the attempt), and BullMQ's
 * stalled-job check (or the sweeper) gives it to another worker, which runs it once.
 */
@Injectable()
export class JobDrain implements BeforeApplicationShutdown {
  draining = false;

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(AppConfig) private readonly config: AppConfig,
    @InjectPinoLogger(JobDrain.name) private readonly logger: PinoLogger,
    private readonly instrumentation: JobInstrumentation,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.draining = true;
    const workers = bullWorkers(this.discovery);
    this.logger.info({ signal, queues: workers.map((w) => w.name) }, 'Draining: finishing the jobs in progress');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.config.SHUTDOWN_TIMEOUT_MS)));
    const closed = Promise.all(workers.map((w) => w.close())).then(() => 'closed' as const);
    const outcome = await Promise.race([closed, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn({ timeoutMs: this.config.SHUTDOWN_TIMEOUT_MS }, 'Jobs still running at the shutdown timeout: closing by force (they will be run again elsewhere)');
      await Promise.all(workers.map((w) => w.close(true)));
    } else {
      this.logger.info('Drained: no job in progress');
    }
    await this.instrumentation.settled();
  }
}
