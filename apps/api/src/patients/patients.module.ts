import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module.js';
import { PatientsController } from './patients.controller.js';
import { PatientsService } from './patients.service.js';

@Module({ imports: [ClinicsModule], controllers: [PatientsController], providers: [PatientsService], exports: [PatientsService] })
export class PatientsModule {}
