import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { SendResponse } from '../common/send-response.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { InvoiceResponse } from '../invoices/dto/invoice.response.js';
import { AppointmentInvoicesService } from './appointment-invoices.service.js';
import { AppointmentsService } from './appointments.service.js';
import { AppointmentResponse, toAppointmentResponse } from './dto/appointment.response.js';
import { CreateAppointmentDto } from './dto/create-appointment.dto.js';
import { EmptyBodyDto } from './dto/empty-body.dto.js';

@ApiTags('appointments')
@ApiBearerAuth()
@Controller('v1/appointments')
@Roles(...STAFF)
export class AppointmentsController {
  constructor(
    private readonly appointments: AppointmentsService,
    private readonly invoices: AppointmentInvoicesService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: AppointmentResponse })
  async create(@Body() body: CreateAppointmentDto, @Auth() auth: AuthContext): Promise<AppointmentResponse> {
    return toAppointmentResponse(await this.appointments.create(auth.clinicId, body, auth.keyId));
  }

  @Get(':id')
  @ApiOkResponse({ type: AppointmentResponse })
  async get(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext): Promise<AppointmentResponse> {
    const { appointment, invoiceId } = await this.appointments.get(auth.clinicId, id);
    return toAppointmentResponse(appointment, invoiceId);
  }

  @Post(':id/invoice')
  @ApiBody({ type: EmptyBodyDto, required: false, description: 'No fields' })
  @ApiCreatedResponse({ type: InvoiceResponse, description: 'Made now, with one line for the service at its list price' })
  @ApiOkResponse({ type: InvoiceResponse, description: 'Made earlier: the same invoice' })
  async invoice(@Param('id', UuidParam) id: string, @Body() _body: EmptyBodyDto, @Auth() auth: AuthContext): Promise<InvoiceResponse> {
    const { created, invoice } = await this.invoices.invoiceFor(auth.clinicId, id, auth.keyId);
    // Nest fixes a route's status after interceptors: a run-time 200 travels as SendResponse.
    if (!created) throw new SendResponse(200, invoice);
    return invoice;
  }
}
