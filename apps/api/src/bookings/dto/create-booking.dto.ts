import { CreateAppointmentDto } from '../../appointments/dto/create-appointment.dto.js';

/** A booking is an appointment made by the online channel: the same fields. */
export class CreateBookingDto extends CreateAppointmentDto {}
