import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { StoreHealth } from '@app/billing';
import { Public } from '../auth/roles.decorator.js';

@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly stores: StoreHealth,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Ready when Postgres and Redis both answer within a second; 503 with the details otherwise. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: Postgres and Redis answer' })
  @HealthCheck()
  ready() {
    return this.health.check([() => this.stores.postgres(), () => this.stores.redisPing()]);
  }
}
