import { Entity, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey } from './base.js';
import { Clinic } from './clinic.entity.js';

/**
 * One Idempotency-Key of a clinic: the request it was first used for and, once answered,
 * the answer to replay (or the command it created).
 */
@Entity({ tableName: 'idempotency_record' })
@Unique({ properties: ['clinicId', 'key'] })
export class IdempotencyRecord extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @Property({ type: 'text' })
  key: string;

  /** METHOD and route pattern, e.g. `POST /v1/redemptions`. */
  @Property({ type: 'text' })
  endpoint: string;

  /** SHA-256 of the endpoint's path and the canonical JSON body. */
  @Property({ type: 'text' })
  requestHash: string;

  @Property({ type: 'uuid', nullable: true })
  commandId: string | null = null;

  @Property({ type: 'text' })
  state: 'in_progress' | 'done' = 'in_progress';

  @Property({ type: 'integer', nullable: true })
  statusCode: number | null = null;

  @Property({ type: 'json', nullable: true })
  responseBody: unknown = null;
}
