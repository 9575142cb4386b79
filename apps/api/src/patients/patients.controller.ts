import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CreatePatientDto } from './dto/create-patient.dto.js';
import { ListPatientsQuery } from './dto/list-patients.query.js';
import { PatientPage, PatientResponse, toPatientResponse } from './dto/patient.response.js';
import { UpdatePatientDto } from './dto/update-patient.dto.js';
import { PatientsService } from './patients.service.js';

@ApiTags('patients')
@ApiBearerAuth()
@Controller('v1/patients')
@Roles(...STAFF)
export class PatientsController {
  constructor(private readonly patients: PatientsService) {}

  @Post()
  @ApiCreatedResponse({ type: PatientResponse })
  async create(@Body() body: CreatePatientDto, @Auth() auth: AuthContext): Promise<PatientResponse> {
    return toPatientResponse(await this.patients.create(auth.clinicId, body));
  }

  @Get()
  @ApiOkResponse({ type: PatientPage })
  list(@Query() query: ListPatientsQuery, @Auth() auth: AuthContext): Promise<PatientPage> {
    return this.patients.list(auth.clinicId, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: PatientResponse })
  async get(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext): Promise<PatientResponse> {
    return toPatientResponse(await this.patients.get(auth.clinicId, id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: PatientResponse })
  async update(@Param('id', UuidParam) id: string, @Body() body: UpdatePatientDto, @Auth() auth: AuthContext): Promise<PatientResponse> {
    return toPatientResponse(await this.patients.update(auth.clinicId, id, body));
  }
}
