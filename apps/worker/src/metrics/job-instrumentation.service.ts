import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { COMMANDS_QUEUE, enableProcessMetrics, FINAL_COMMAND_STATUSES, MAINTENANCE_QUEUE, workerMetrics, type CommandJobData } from '@app/billing';
import type { Job, Queue, Worker } from 'bullmq';
import { bullWorkers } from '../health/bull-workers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface CommandRow {
  type: string;
  status: string;
  correlation_id: string | null;
  attempts: number;
  created_at: Date;
  finished_at: Date | null;
}

/**
 * Metrics and logs of every job, from the BullMQ workers' events (the processors stay plain):
 * job durations for all queues; for commands, the final status by type, the latency from accepted
 * to final, and one log line per outcome carrying the command's correlationId (the HTTP request's
 * X-Request-Id), so a request can be followed from the API's logs into the worker's.
 */
@Injectable()
export class JobInstrumentation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly started = new Map<string, number>();
  private readonly recording = new Set<Promise<void>>();
  private readonly detach: (() => void)[] = [];
  /** Command rows to read in this turn, by command id. */
  private rowsWanted = new Map<string, { resolve: (row: CommandRow | undefined) => void; reject: (error: unknown) => void }[]>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly em: EntityManager,
    @InjectQueue(COMMANDS_QUEUE) private readonly commandsQueue: Queue,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenanceQueue: Queue,
    @InjectPinoLogger('Jobs') private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    enableProcessMetrics(workerMetrics.registry);
    this.detach.push(workerMetrics.queueDepth.watch(this.commandsQueue), workerMetrics.queueDepth.watch(this.maintenanceQueue));
    for (const worker of bullWorkers(this.discovery)) this.attach(worker);
  }

  // Not onModuleDestroy: the jobs finishing during the drain (JobDrain, before shutdown) are recorded too.
  onApplicationShutdown(): void {
    for (const stop of this.detach.splice(0)) stop();
  }

  private attach(worker: Worker): void {
    const onActive = (job: Job) => this.started.set(this.key(worker, job), performance.now());
    const onCompleted = (job: Job, result: unknown) => this.record(this.finished(worker, job, typeof result === 'string' ? result : 'completed'));
    const onFailed = (job: Job | undefined, error: Error) => {
      if (job) this.record(this.finished(worker, job, 'error', error));
    };
    worker.on('active', onActive);
    worker.on('completed', onCompleted);
    worker.on('failed', onFailed);
    this.detach.push(() => {
      worker.off('active', onActive);
      worker.off('completed', onCompleted);
      worker.off('failed', onFailed);
    });
  }

  /** Resolves once the outcomes of finished jobs are recorded (the drain waits for it before the database closes). */
  async settled(): Promise<void> {
    await Promise.all([...this.recording]);
  }

  private record(work: Promise<void>): void {
    const tracked = work.catch((e) => this.logFailure(e)).finally(() => this.recording.delete(tracked));
    this.recording.add(tracked);
  }

  private key(worker: Worker, job: Job): string {
    return `${worker.name}:${job.id}`;
  }

  private async finished(worker: Worker, job: Job, outcome: string, error?: Error): Promise<void> {
    const key = this.key(worker, job);
    const start = this.started.get(key);
    this.started.delete(key);
    const seconds = start === undefined ? undefined : (performance.now() - start) / 1000;
    if (seconds !== undefined) workerMetrics.jobDuration.observe({ queue: worker.name, outcome }, seconds);
    if (worker.name !== COMMANDS_QUEUE) {
      if (error) this.logger.warn({ queue: worker.name, jobId: job.id, err: error }, 'Job attempt failed');
      return;
    }

    const { commandId } = job.data as CommandJobData;
    const command = await this.commandRow(commandId);
    const fields = {
      commandId,
      correlationId: command?.correlation_id ?? undefined,
      type: command?.type,
      jobId: job.id,
      attempt: command?.attempts,
      durationMs: seconds === undefined ? undefined : Math.round(seconds * 1000),
    };
    if (error) {
      const retrying = job.attemptsMade < (job.opts.attempts ?? 1);
      this.logger.warn({ ...fields, err: error, retrying }, retrying ? 'Command attempt failed; it will be retried' : 'Command attempt failed');
      return;
    }
    // 'skipped': a duplicate delivery of a command already final; it changed nothing.
    if (outcome === 'skipped' || !command) {
      this.logger.debug({ ...fields, outcome }, 'Command delivery skipped: already final');
      return;
    }
    if (FINAL_COMMAND_STATUSES.includes(command.status as never)) {
      workerMetrics.commands.inc({ type: command.type, status: command.status });
      if (command.finished_at) {
        const latency = (new Date(command.finished_at).getTime() - new Date(command.created_at).getTime()) / 1000;
        workerMetrics.commandLatency.observe({ type: command.type, status: command.status }, Math.max(0, latency));
      }
    }
    const level = command.status === 'failed' ? 'error' : 'info';
    this.logger[level]({ ...fields, status: command.status }, `Command ${command.type} ${command.status}`);
  }

  /**
   * The finished command's row, read with the others finished in the same turn of the event loop
   * in one statement (issue 17): a worker finishing 16 jobs at once read their rows with 16
   * round trips to Postgres, one per job.
   */
  private commandRow(commandId: string): Promise<CommandRow | undefined> {
    // Not a uuid: no row (and a batch's statement must not fail for it).
    if (!UUID.test(commandId)) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      if (this.rowsWanted.size === 0) setImmediate(() => void this.readRows());
      const waiting = this.rowsWanted.get(commandId);
      const entry = { resolve, reject };
      if (waiting) waiting.push(entry);
      else this.rowsWanted.set(commandId, [entry]);
    });
  }

  private async readRows(): Promise<void> {
    const wanted = this.rowsWanted;
    this.rowsWanted = new Map();
    try {
      const rows = await this.em.fork().execute<(CommandRow & { id: string })[]>(
        'select id, type, status, correlation_id, attempts, created_at, finished_at from command where id = any(?::uuid[])',
        [`{${[...wanted.keys()].join(',')}}`],
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const [id, entries] of wanted) for (const entry of entries) entry.resolve(byId.get(id));
    } catch (error) {
      for (const entries of wanted.values()) for (const entry of entries) entry.reject(error);
    }
  }

  private logFailure(error: unknown): void {
    this.logger.warn({ err: error }, 'Could not record a job outcome');
  }
}
