import { TextField } from '../../common/fields/field.decorators.js';

export class CreateFamilyDto {
  @TextField({ example: 'Lovelace household' })
  name: string;
}
