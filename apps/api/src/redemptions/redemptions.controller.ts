import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, type AuthedRequest } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { CommandEndpoint } from '../common/idempotency-key.js';
import { CommandsService } from '../commands/commands.service.js';
import { CreateRedemptionDto } from './dto/create-redemption.dto.js';

@ApiTags('commands')
@ApiBearerAuth()
@Controller('v1/redemptions')
export class RedemptionsController {
  constructor(private readonly commands: CommandsService) {}

  @Post()
  @HttpCode(202)
  @Roles(...STAFF)
  @CommandEndpoint()
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiHeader({ name: 'Prefer', required: false, description: 'wait=N (N ≤ 30): answer when the command has finished, if within N seconds' })
  async redeem(@Body() body: CreateRedemptionDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'redemption', { ...body });
  }
}

