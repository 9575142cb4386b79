import { registerDecorator } from 'class-validator';
import { PURCHASE_KINDS, type PlanKind } from '@app/billing';

export const PLAN_KINDS: readonly PlanKind[] = PURCHASE_KINDS;

/**
 * A plan option that belongs to one kind: on a plan of the other kind it must be absent
 * (null, or false for a flag, is accepted: it means the same as absent).
 */
export function OnlyFor(kind: PlanKind) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'onlyForKind',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} applies to ${kind} plans only` },
      validator: {
        validate(value: unknown, args) {
          const given = (args?.object as { kind?: unknown }).kind;
          const otherKind = PLAN_KINDS.includes(given as PlanKind) && given !== kind;
          return !otherKind || value === undefined || value === null || value === false;
        },
      },
    });
}
