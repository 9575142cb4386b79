import { Body, Controller, Get, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { AdminToken, OWNER, Roles, STAFF } from '../auth/roles.decorator.js';
import { ClinicsService } from './clinics.service.js';
import { ClinicSettingsDto } from './dto/clinic-settings.dto.js';
import { ClinicResponse, CreatedClinicResponse, toClinicResponse } from './dto/clinic.response.js';
import { CreateClinicDto } from './dto/create-clinic.dto.js';

@ApiTags('clinic')
@ApiBearerAuth()
@Controller('v1')
export class ClinicsController {
  constructor(private readonly clinics: ClinicsService) {}

  @Post('clinics')
  @AdminToken()
  @ApiOperation({ summary: 'Create a clinic and its owner key (platform operator, ADMIN_TOKEN)' })
  @ApiCreatedResponse({ type: CreatedClinicResponse })
  async create(@Body() body: CreateClinicDto): Promise<CreatedClinicResponse> {
    const { clinic, ownerKey } = await this.clinics.create(body);
    return { ...toClinicResponse(clinic), ownerKey };
  }

  @Get('clinic')
  @Roles(...STAFF)
  @ApiOkResponse({ type: ClinicResponse })
  async get(@Auth() auth: AuthContext): Promise<ClinicResponse> {
    return toClinicResponse(await this.clinics.get(auth.clinicId));
  }

  @Patch('clinic/settings')
  @Roles(...OWNER)
  @ApiOkResponse({ type: ClinicResponse })
  async updateSettings(@Body() body: ClinicSettingsDto, @Auth() auth: AuthContext): Promise<ClinicResponse> {
    return toClinicResponse(await this.clinics.updateSettings(auth.clinicId, body));
  }
}
