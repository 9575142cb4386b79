import { Entity, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey } from './base.js';
import { Plan } from './plan.entity.js';
import { Service } from './service.entity.js';

@Entity({ tableName: 'plan_item' })
@Unique({ properties: ['planId', 'serviceId'] })
export class PlanItem extends BaseEntity {
  @ForeignKey(() => Plan, 'plan_id')
  planId: string;

  @ForeignKey(() => Service, 'service_id')
  serviceId: string;

  /** Package: visits in total; membership: visits per cycle. */
  @Property({ type: 'integer' })
  quantity: number;

  /** Order as given when the plan was created. */
  @Property({ type: 'integer' })
  position: number;
}
