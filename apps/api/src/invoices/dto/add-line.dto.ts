import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, registerDecorator, ValidateIf } from 'class-validator';
import { MAX_PRICE } from '../../common/fields/field.decorators.js';

export const MAX_LINE_QUANTITY = 1000;
export const MAX_LINE_TAX_CODES = 3;

/** What staff may add: a service (the default), a tip or a charge; `plan` lines come with purchases only. */
export const ADDABLE_LINE_KINDS = ['service', 'tip', 'charge'] as const;
export type AddableLineKind = (typeof ADDABLE_LINE_KINDS)[number];

const kindOf = (o: AddLineDto): AddableLineKind => o.kind ?? 'service';
const isService = (o: AddLineDto) => kindOf(o) === 'service';

/** The field belongs to these kinds only: on another kind it is refused, not ignored (a tip with taxCodes is a client's mistake). */
function OnlyOnKinds(...kinds: AddableLineKind[]) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'onlyOnKinds',
      target: object.constructor,
      propertyName,
      options: { message: ({ object: o }) => `${propertyName} is not allowed on a ${kindOf(o as AddLineDto)} line (only on ${kinds.join(', ')})` },
      validator: { validate: (value: unknown, args) => value === undefined || kinds.includes(kindOf(args!.object as AddLineDto)) },
    });
}

/**
 * One body, three shapes told apart by `kind`: `{ serviceId, quantity? }` (kind absent or
 * service), `{ kind: "tip", description, amount }`, `{ kind: "charge", description, amount,
 * taxCodes? }`. Each field is required or refused by the kind, so a mixed body is a 400.
 */
export class AddLineDto {
  @ApiPropertyOptional({
    enum: ADDABLE_LINE_KINDS,
    default: 'service',
    description:
      'service: billed at its list price (service invoices only); tip, charge: at `amount`, on any open or paid invoice. On a package, ' +
      "instalment or membership invoice they are its extras: payments pay the plan's lines first, so its visits unlock as soon as the plan " +
      "is paid, and only the plan's money counts for the purchase (refunds, liability report)",
  })
  @IsOptional()
  @IsIn(ADDABLE_LINE_KINDS)
  kind?: AddableLineKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Service lines (required): billed at its list price' })
  @ValidateIf((o: AddLineDto) => isService(o) || o.serviceId !== undefined)
  @OnlyOnKinds('service')
  @IsUUID('all')
  serviceId?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LINE_QUANTITY, default: 1, description: 'Service lines only' })
  @IsOptional()
  @OnlyOnKinds('service')
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity?: number;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Tip', description: 'Tip and charge lines (required)' })
  @ValidateIf((o: AddLineDto) => !isService(o) || o.description !== undefined)
  @OnlyOnKinds('tip', 'charge')
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PRICE, example: 1500, description: 'Tip and charge lines (required): minor units' })
  @ValidateIf((o: AddLineDto) => !isService(o) || o.amount !== undefined)
  @OnlyOnKinds('tip', 'charge')
  @IsInt()
  @Min(1)
  @Max(MAX_PRICE)
  amount?: number;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_LINE_TAX_CODES, description: 'Charge lines only: tax codes of the clinic (stored as given until taxes apply them)' })
  @ValidateIf((o: AddLineDto) => o.taxCodes !== undefined)
  @OnlyOnKinds('charge')
  @IsArray()
  @ArrayMaxSize(MAX_LINE_TAX_CODES)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(10, { each: true })
  taxCodes?: string[];
}
