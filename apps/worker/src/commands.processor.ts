import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AppConfig, COMMANDS_QUEUE, type CommandJobData } from '@app/billing';
import { COMMAND_HANDLERS, CommandBatcher, CommandRunner } from '@app/billing/worker';
import type { Job, Queue } from 'bullmq';

/** One processor for the commands queue; the runner dispatches by command type. */
@Processor(COMMANDS_QUEUE)
export class CommandsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(CommandsProcessor.name);
  private readonly batcher: CommandBatcher;

  constructor(
    em: EntityManager,
    @Inject(AppConfig) private readonly config: AppConfig,
    @InjectQueue(COMMANDS_QUEUE) commandsQueue: Queue<CommandJobData>,
  ) {
    super();
    this.batcher = new CommandBatcher(new CommandRunner(em, COMMAND_HANDLERS, commandsQueue), config.WORKER_TRANSACTIONS);
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
  }

  async process(job: Job<CommandJobData>): Promise<string> {
    const attempts = job.opts.attempts ?? 1;
    const lastAttempt = job.attemptsMade + 1 >= attempts;
    const outcome = await this.batcher.run({ commandId: job.data.commandId, lastAttempt });
    if (outcome === 'failed') this.logger.error(`Command ${job.data.commandId} failed after ${attempts} attempts`);
    return outcome;
  }
}
