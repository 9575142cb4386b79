import { BigIntType } from '@mikro-orm/core';
import { ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';

/** Time-sortable UUID v7: ids order by creation, which keeps indexes and cursors cheap. */
export const newId = (): string => uuidv7();

export abstract class BaseEntity {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * A foreign key held as its id (mapToPk): handlers pass ids around and never load a
 * relation by accident, while the migration still gets a real FK constraint.
 */
export function ForeignKey(entity: () => object, fieldName: string, options: { nullable?: boolean; deleteRule?: 'cascade' | 'no action' } = {}) {
  return ManyToOne(entity as never, {
    mapToPk: true,
    fieldName,
    nullable: options.nullable ?? false,
    deleteRule: options.deleteRule ?? 'no action',
    updateRule: 'no action',
  });
}

/** Money in minor units: bigint in Postgres (sums never overflow), a safe integer in JS. */
export function Money() {
  return Property({ type: new BigIntType('number'), default: 0 });
}

/** A new entity with its defaults, then the given fields (persist it with `em.persist`). */
export function build<T extends object>(entity: new () => T, data: Partial<T>): T {
  return Object.assign(new entity(), data);
}
