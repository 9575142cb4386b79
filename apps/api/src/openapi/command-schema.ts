import { getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { COMMAND_SCHEMAS } from '../commands/dto/command-types.dto.js';
import { CommandResponse } from '../commands/dto/command.response.js';

/** The per-type command schemas, to register as extra models. */
export const COMMAND_MODELS = Object.values(COMMAND_SCHEMAS);

/**
 * CommandResponse becomes a oneOf of the per-type schemas with a discriminator on `type`, so a
 * client knows a redemption's request and result from a refund's. Every $ref to CommandResponse
 * (command answers, pages, bookings, the dashboard) keeps pointing at it.
 */
export function discriminateCommands(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ??= {};
  const mapping = Object.fromEntries(Object.entries(COMMAND_SCHEMAS).map(([type, model]) => [type, getSchemaPath(model)]));
  schemas[CommandResponse.name] = {
    description: 'A command resource (api-v1.md "Commands"); `type` says which request and result it carries',
    oneOf: Object.values(mapping).map(($ref) => ({ $ref })),
    discriminator: { propertyName: 'type', mapping },
  };
}
