import { Body, Controller, Get, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, type AuthedRequest } from '../auth/auth-context.js';
import { ANY_ROLE, Roles } from '../auth/roles.decorator.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { BookingsService } from './bookings.service.js';
import { BookingResponse } from './dto/booking.response.js';
import { CreateBookingDto } from './dto/create-booking.dto.js';

@ApiTags('bookings')
@ApiBearerAuth()
@Controller('v1/bookings')
export class BookingsController {
  constructor(private readonly bookings: BookingsService) {}

  @Post()
  @Roles('online')
  @ApiCreatedResponse({ type: BookingResponse, description: 'redemption is the command redeeming a purchase online, or null' })
  create(@Body() body: CreateBookingDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest) {
    return this.bookings.create(auth, body, req.correlationId ?? null);
  }

  /** The online channel: its own bookings; staff: all of the clinic's. */
  @Get(':id')
  @Roles(...ANY_ROLE)
  @ApiOkResponse({ type: BookingResponse, description: 'The current state' })
  get(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext) {
    return this.bookings.get(auth, id);
  }
}
