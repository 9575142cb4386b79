import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { watchHeapAfterGc } from './heap-after-gc.js';

// Prometheus metrics of both apps. Each app has a registry of its own (default label `app`), so
// the API and a worker can run in one process (the end-to-end tests do) without "metric already
// registered": nothing here touches prom-client's global registry. The objects are module-level
// so code without dependency injection (command handlers) can update them.

export const METRIC_PREFIX = 'clinic_billing_';

/** What the queue-depth gauge asks on each scrape (a BullMQ Queue fits). */
export interface QueueCounts {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'failed', 'completed'];

/** Jobs per queue and state, read from Redis when Prometheus scrapes (never stale, no timer). */
class QueueDepth {
  private readonly queues = new Set<QueueCounts>();
  readonly gauge: Gauge<'queue' | 'state'>;

  constructor(registry: Registry) {
    const queues = this.queues;
    this.gauge = new Gauge({
      name: `${METRIC_PREFIX}queue_jobs`,
      help: 'BullMQ jobs per queue and state (getJobCounts on each scrape)',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const queue of queues) {
          try {
            const counts = await queue.getJobCounts(...QUEUE_STATES);
            for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          } catch {
            // Redis unreachable: this queue is simply absent from the scrape (readiness says why).
          }
        }
      },
    });
  }

  /** Reports this queue on scrapes until the returned function is called. */
  watch(queue: QueueCounts): () => void {
    this.queues.add(queue);
    return () => this.queues.delete(queue);
  }
}

function newRegistry(app: 'api' | 'worker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  return registry;
}

const withDefaults = new WeakSet<Registry>();

/** Process metrics (CPU, memory, event loop, GC) into a registry, once. */
export function enableProcessMetrics(registry: Registry): void {
  if (withDefaults.has(registry)) return;
  withDefaults.add(registry);
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  watchHeapAfterGc(registry, METRIC_PREFIX);
}

export class ApiMetrics {
  readonly registry = newRegistry('api');

  /** Labelled by route pattern (`/v1/purchases/:id`), never the raw URL. */
  readonly httpRequestDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly queueDepth = new QueueDepth(this.registry);
}

export class WorkerMetrics {
  readonly registry = newRegistry('worker');

  /** Counted once per command, when a worker writes its final status. */
  readonly commands = new Counter({
    name: `${METRIC_PREFIX}commands_total`,
    help: 'Commands finished, by type and final status (succeeded, rejected, failed)',
    labelNames: ['type', 'status'] as const,
    registers: [this.registry],
  });

  /** From the command row's createdAt (accepted by the API) to its finishedAt (final status written). */
  readonly commandLatency = new Histogram({
    name: `${METRIC_PREFIX}command_latency_seconds`,
    help: 'Commands from accepted to final, by type and final status',
    labelNames: ['type', 'status'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });

  /** One observation per job attempt; outcome is the runner's result, or `error` when the attempt threw. */
  readonly jobDuration = new Histogram({
    name: `${METRIC_PREFIX}job_duration_seconds`,
    help: 'BullMQ job attempts by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  /**
   * Command transactions that ran several commands (group commit, CommandBatcher): how many they
   * held, and whether they committed or rolled back for their commands to run again alone.
   */
  readonly sharedTransactions = new Histogram({
    name: `${METRIC_PREFIX}shared_command_transactions`,
    help: 'Transactions that ran several commands, by the number of commands, committed or rolled back (then each ran alone)',
    labelNames: ['outcome'] as const,
    buckets: [2, 4, 8, 16, 32],
    registers: [this.registry],
  });

  /** Set by the reconciliation handler while it works through a clinic (0..1); removed when it ends. */
  readonly reconciliationProgress = new Gauge({
    name: `${METRIC_PREFIX}reconciliation_progress_ratio`,
    help: 'Progress of running reconciliations, per clinic (0 to 1)',
    labelNames: ['clinic_id'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = new QueueDepth(this.registry);
}

/** The API's metrics (one registry per process, shared by API instances in it). */
export const apiMetrics = new ApiMetrics();
/** The worker's metrics: what command handlers update. */
export const workerMetrics = new WorkerMetrics();

/**
 * For the reconciliation handler: `done` of `total` items of a clinic processed. At `done >= total`
 * the clinic's series is removed, so the gauge shows only reconciliations in progress.
 */
export function reportReconciliationProgress(clinicId: string, done: number, total: number): void {
  if (total <= 0 || done >= total) {
    workerMetrics.reconciliationProgress.remove({ clinic_id: clinicId });
    return;
  }
  workerMetrics.reconciliationProgress.set({ clinic_id: clinicId }, Math.max(0, done) / total);
}

/**
 * GET /metrics is public unless METRICS_TOKEN is set; then it wants that token as a Bearer.
 * Returns whether an `Authorization` header value may scrape.
 */
export function mayScrapeMetrics(config: { METRICS_TOKEN?: string | undefined }, authorization: string | undefined): boolean {
  if (!config.METRICS_TOKEN) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(config.METRICS_TOKEN);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
