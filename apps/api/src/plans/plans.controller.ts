import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { BACK_OFFICE, Roles, STAFF } from '../auth/roles.decorator.js';
import { ListQuery } from '../common/pagination.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CreatePlanDto } from './dto/create-plan.dto.js';
import { PlanPage, PlanResponse } from './dto/plan.response.js';
import { UpdatePlanDto } from './dto/update-plan.dto.js';
import { PlansService } from './plans.service.js';

@ApiTags('catalogue')
@ApiBearerAuth()
@Controller('v1/plans')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Post()
  @Roles(...BACK_OFFICE)
  @ApiCreatedResponse({ type: PlanResponse })
  create(@Body() body: CreatePlanDto, @Auth() auth: AuthContext): Promise<PlanResponse> {
    return this.plans.create(auth.clinicId, body);
  }

  @Get()
  @Roles(...STAFF)
  @ApiOkResponse({ type: PlanPage })
  list(@Query() query: ListQuery, @Auth() auth: AuthContext): Promise<PlanPage> {
    return this.plans.list(auth.clinicId, query);
  }

  @Get(':id')
  @Roles(...STAFF)
  @ApiOkResponse({ type: PlanResponse })
  async get(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext): Promise<PlanResponse> {
    return this.plans.view(await this.plans.get(auth.clinicId, id));
  }

  @Patch(':id')
  @Roles(...BACK_OFFICE)
  @ApiOkResponse({ type: PlanResponse, description: 'active: false archives the plan; items set patient portions for later sales' })
  update(@Param('id', UuidParam) id: string, @Body() body: UpdatePlanDto, @Auth() auth: AuthContext): Promise<PlanResponse> {
    return this.plans.update(auth.clinicId, id, body);
  }
}
