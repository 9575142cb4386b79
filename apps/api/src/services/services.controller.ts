import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { BACK_OFFICE, Roles, STAFF } from '../auth/roles.decorator.js';
import { ListQuery } from '../common/pagination.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CreateServiceDto } from './dto/create-service.dto.js';
import { ServicePage, ServiceResponse, toServiceResponse } from './dto/service.response.js';
import { ServicesService } from './services.service.js';

@ApiTags('catalogue')
@ApiBearerAuth()
@Controller('v1/services')
export class ServicesController {
  constructor(private readonly services: ServicesService) {}

  @Post()
  @Roles(...BACK_OFFICE)
  @ApiCreatedResponse({ type: ServiceResponse })
  async create(@Body() body: CreateServiceDto, @Auth() auth: AuthContext): Promise<ServiceResponse> {
    return toServiceResponse(await this.services.create(auth.clinicId, body));
  }

  @Get()
  @Roles(...STAFF)
  @ApiOkResponse({ type: ServicePage })
  list(@Query() query: ListQuery, @Auth() auth: AuthContext): Promise<ServicePage> {
    return this.services.list(auth.clinicId, query);
  }

  @Get(':id')
  @Roles(...STAFF)
  @ApiOkResponse({ type: ServiceResponse })
  async get(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext): Promise<ServiceResponse> {
    return toServiceResponse(await this.services.get(auth.clinicId, id));
  }
}
