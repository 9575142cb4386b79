import { OmitType, PartialType } from '@nestjs/swagger';
import { TextField } from '../../common/fields/field.decorators.js';
import { CreatePatientDto } from './create-patient.dto.js';

/**
 * Every field optional; email, phone, dateOfBirth and familyId may be null to clear them (null
 * familyId leaves the family). Names may be left out but never cleared, so they keep their own rule.
 */
export class UpdatePatientDto extends PartialType(OmitType(CreatePatientDto, ['firstName', 'lastName'] as const)) {
  @TextField({ optional: true })
  firstName?: string;

  @TextField({ optional: true })
  lastName?: string;
}
