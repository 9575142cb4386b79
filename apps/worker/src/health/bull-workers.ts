import { WorkerHost } from '@nestjs/bullmq';
import type { DiscoveryService } from '@nestjs/core';
import type { Worker } from 'bullmq';

/** Every BullMQ worker of the app (one per @Processor). */
export function bullWorkers(discovery: DiscoveryService): Worker[] {
  return discovery
    .getProviders()
    .map((wrapper) => wrapper.instance as unknown)
    .filter((instance): instance is WorkerHost => instance instanceof WorkerHost)
    .flatMap((host) => {
      try {
        return [host.worker];
      } catch {
        return []; // not started (the app failed before bootstrap)
      }
    });
}
