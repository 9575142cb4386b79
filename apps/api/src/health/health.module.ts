import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StoreHealth } from '@app/billing';
import { HealthController } from './health.controller.js';

@Module({ imports: [TerminusModule], controllers: [HealthController], providers: [StoreHealth] })
export class HealthModule {}
