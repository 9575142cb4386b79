import { ApiProperty } from '@nestjs/swagger';
import type { Family, Patient } from '@app/billing';
import { PatientResponse, toPatientResponse } from '../../patients/dto/patient.response.js';

export class FamilyResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: () => [PatientResponse] })
  members: PatientResponse[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function toFamilyResponse(family: Family, members: Patient[]): FamilyResponse {
  return { id: family.id, name: family.name, members: members.map(toPatientResponse), createdAt: family.createdAt.toISOString() };
}
