import { ApiHideProperty } from '@nestjs/swagger';
import { IsEmpty } from 'class-validator';

/** A POST that takes no fields: any field sent is refused (400), never ignored. */
export class EmptyBodyDto {
  // class-validator refuses a class with no rule at all (forbidUnknownValues): this one accepts nothing.
  @ApiHideProperty()
  @IsEmpty({ message: 'this request takes no body fields' })
  _?: never;
}
