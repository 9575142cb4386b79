import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AppConfig, COMMANDS_QUEUE, MAINTENANCE_QUEUE, requeueStrandedCommands, type CommandJobData } from '@app/billing';
import type { Job, Queue } from 'bullmq';

export const SWEEP_JOB = 'sweep-commands';
/** A command this young may simply not have been queued yet by the API. */
const STRANDED_AFTER_MS = 5_000;

/**
 * Housekeeping on a BullMQ job scheduler: however many workers run, the scheduler yields one
 * job per tick, so the sweep runs once per interval.
 */
@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly em: EntityManager,
    @Inject(AppConfig) private readonly config: AppConfig,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
    @InjectQueue(COMMANDS_QUEUE) private readonly commands: Queue<CommandJobData>,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.upsertJobScheduler(SWEEP_JOB, { every: this.config.SWEEP_INTERVAL_MS }, { name: SWEEP_JOB, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }

  async process(job: Job): Promise<unknown> {
    if (job.name === SWEEP_JOB) {
      const requeued = await requeueStrandedCommands(this.em.fork(), this.commands, { olderThanMs: STRANDED_AFTER_MS, limit: 1000 });
      if (requeued > 0) this.logger.warn(`Re-queued ${requeued} command(s) that Redis had lost`);
      return { requeued };
    }
    return null;
  }
}
