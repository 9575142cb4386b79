import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { apiMetrics, AppConfig, mayScrapeMetrics } from '@app/billing';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator.js';
import { ProblemException } from '../common/problem.exception.js';

@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics of this API process (Bearer METRICS_TOKEN when one is configured)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  @ApiUnauthorizedResponse({ description: 'METRICS_TOKEN is set and was not sent' })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (!mayScrapeMetrics(this.config, authorization)) throw new ProblemException('unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>');
    const body = await apiMetrics.registry.metrics();
    res.status(200).type(apiMetrics.registry.contentType).send(body);
  }
}
