import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AppConfig, COMMANDS_QUEUE, enqueueCommand, MAINTENANCE_QUEUE, type CommandJobData } from '@app/billing';
import { requeueStrandedCommands, submitDueDailyReconciliations } from '@app/billing/worker';
import type { Job, Queue } from 'bullmq';

export const SWEEP_JOB = 'sweep-commands';
export const RECONCILE_TICK_JOB = 'reconcile-tick';
/** A command this young may simply not have been queued yet by the API. */
const STRANDED_AFTER_MS = 5_000;

/**
 * Housekeeping on BullMQ job schedulers (re-queue lost commands; start each clinic's daily
 * reconciliation): however many workers run, a scheduler yields one job per tick.
 */
@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly em: EntityManager,
    @Inject(AppConfig) private readonly config: AppConfig,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
    @InjectQueue(COMMANDS_QUEUE) private readonly commands: Queue<CommandJobData>,
  ) {
    super();
  }

  private keeper: NodeJS.Timeout | null = null;

  /**
   * The job schedulers live in Redis: one that lost its data (a wipe, a failover) would lose them
   * too, and with them the sweep that heals everything else. So every worker re-asserts them on a
   * timer of its own (upserting is idempotent), not only when it starts.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.ensureSchedulers();
    this.keeper = setInterval(() => {
      this.ensureSchedulers().catch((error: Error) => this.logger.warn(`Could not re-assert the job schedulers: ${error.message}`));
    }, this.config.SWEEP_INTERVAL_MS);
    this.keeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.keeper) clearInterval(this.keeper);
  }

  private async ensureSchedulers(): Promise<void> {
    const opts = { removeOnComplete: 100, removeOnFail: 100 };
    await this.maintenance.upsertJobScheduler(SWEEP_JOB, { every: this.config.SWEEP_INTERVAL_MS }, { name: SWEEP_JOB, opts });
    if (this.config.RECONCILE_TICK_MS > 0) {
      await this.maintenance.upsertJobScheduler(RECONCILE_TICK_JOB, { every: this.config.RECONCILE_TICK_MS }, { name: RECONCILE_TICK_JOB, opts });
    } else {
      await this.maintenance.removeJobScheduler(RECONCILE_TICK_JOB);
    }
  }

  async process(job: Job): Promise<unknown> {
    if (job.name === SWEEP_JOB) {
      const requeued = await requeueStrandedCommands(this.em.fork(), this.commands, { olderThanMs: STRANDED_AFTER_MS, limit: 1000 });
      if (requeued > 0) this.logger.warn(`Re-queued ${requeued} command(s) that Redis had lost`);
      return { requeued };
    }
    if (job.name === RECONCILE_TICK_JOB) {
      const created = await submitDueDailyReconciliations(this.em.fork());
      for (const commandId of created) await enqueueCommand(this.commands, commandId);
      if (created.length > 0) this.logger.log(`Queued the daily reconciliation of ${created.length} clinic(s)`);
      return { queued: created.length };
    }
    return null;
  }
}
