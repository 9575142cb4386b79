import { InjectQueue } from '@nestjs/bullmq';
import { Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { apiMetrics, COMMANDS_QUEUE, enableProcessMetrics, MAINTENANCE_QUEUE } from '@app/billing';
import type { Queue } from 'bullmq';
import { MetricsController } from './metrics.controller.js';

/** GET /metrics: HTTP timings (middleware in bootstrap), queue depth read on scrape, process metrics. */
@Module({ controllers: [MetricsController] })
export class MetricsModule implements OnModuleInit, OnModuleDestroy {
  private unwatch: (() => void)[] = [];

  constructor(
    @InjectQueue(COMMANDS_QUEUE) private readonly commands: Queue,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
  ) {}

  onModuleInit(): void {
    enableProcessMetrics(apiMetrics.registry);
    this.unwatch = [apiMetrics.queueDepth.watch(this.commands), apiMetrics.queueDepth.watch(this.maintenance)];
  }

  onModuleDestroy(): void {
    for (const stop of this.unwatch) stop();
  }
}
