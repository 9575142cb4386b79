import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig, mayScrapeMetrics, problemFor, workerMetrics } from '@app/billing';

/** Prometheus metrics of this worker process (Bearer METRICS_TOKEN when one is configured). */
@Controller('metrics')
export class WorkerMetricsController {
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (!mayScrapeMetrics(this.config, authorization)) {
      res.status(401).type('application/problem+json').json(problemFor('unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>'));
      return;
    }
    res.status(200).type(workerMetrics.registry.contentType).send(await workerMetrics.registry.metrics());
  }
}
