import { Module } from '@nestjs/common';
import { FamiliesController } from './families.controller.js';

@Module({ controllers: [FamiliesController] })
export class FamiliesModule {}
