import { Field, ObjectType } from '@nestjs/graphql';
import { AuditEvent } from './audit-event.model';

/** A page of records, newest first; pass nextCursor as `after` for the next (older) page. */
@ObjectType('AuditEventConnection')
export class AuditEventConnection {
  @Field(() => [AuditEvent]) nodes!: AuditEvent[];
  @Field(() => String, { nullable: true, description: 'Null on the last page' })
  nextCursor!: string | null;
}
