import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { build, Family, Patient } from '@app/billing';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { notFound } from '../common/problem.exception.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CreateFamilyDto } from './dto/create-family.dto.js';
import { FamilyResponse, toFamilyResponse } from './dto/family.response.js';

/** Families group patients so visits can be transferred between them; join one with PATCH /v1/patients/:id. */
@ApiTags('patients')
@ApiBearerAuth()
@Controller('v1/families')
@Roles(...STAFF)
export class FamiliesController {
  constructor(private readonly em: EntityManager) {}

  @Post()
  @ApiCreatedResponse({ type: FamilyResponse })
  async create(@Body() body: CreateFamilyDto, @Auth() auth: AuthContext): Promise<FamilyResponse> {
    const family = build(Family, { clinicId: auth.clinicId, name: body.name });
    await this.em.persist(family).flush();
    return toFamilyResponse(family, []);
  }

  @Get(':id')
  @ApiOkResponse({ type: FamilyResponse })
  async get(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext): Promise<FamilyResponse> {
    const family = await this.em.findOne(Family, { id, clinicId: auth.clinicId });
    if (!family) throw notFound('Family');
    const members = await this.em.find(Patient, { familyId: id, clinicId: auth.clinicId }, { orderBy: { id: 'asc' } });
    return toFamilyResponse(family, members);
  }
}
