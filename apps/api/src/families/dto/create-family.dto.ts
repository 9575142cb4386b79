import { TextField } from '../../clinics/shared/field.decorators.js';

export class CreateFamilyDto {
  @TextField({ example: 'Lovelace household' })
  name: string;
}
