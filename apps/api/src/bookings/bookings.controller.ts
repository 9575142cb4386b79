import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { ANY_ROLE, Roles } from '../auth/roles.decorator.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { BookingsService } from './bookings.service.js';
import { CreateBookingDto } from './dto/create-booking.dto.js';

@ApiTags('bookings')
@ApiBearerAuth()
@Controller('v1/bookings')
export class BookingsController {
  constructor(private readonly bookings: BookingsService) {}

  @Post()
  @Roles('online')
  create(@Body() body: CreateBookingDto, @Auth() auth: AuthContext) {
    return this.bookings.create(auth, body);
  }

  /** The online channel: its own bookings; staff: all of the clinic's. */
  @Get(':id')
  @Roles(...ANY_ROLE)
  get(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext) {
    return this.bookings.get(auth, id);
  }
}
