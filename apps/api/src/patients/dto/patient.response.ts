import { ApiProperty } from '@nestjs/swagger';
import type { Patient } from '@app/billing';

export class PatientResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  firstName: string;

  @ApiProperty()
  lastName: string;

  @ApiProperty({ type: String, nullable: true })
  email: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  dateOfBirth: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  familyId: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class PatientPage {
  @ApiProperty({ type: () => [PatientResponse] })
  data: PatientResponse[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export function toPatientResponse(patient: Patient): PatientResponse {
  return {
    id: patient.id,
    firstName: patient.firstName,
    lastName: patient.lastName,
    email: patient.email,
    phone: patient.phone,
    dateOfBirth: patient.dateOfBirth,
    familyId: patient.familyId,
    createdAt: patient.createdAt.toISOString(),
  };
}
