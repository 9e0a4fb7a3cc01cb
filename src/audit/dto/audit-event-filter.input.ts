import { Field, InputType } from '@nestjs/graphql';
import type { AuditAction, AuditDecision, AuditOutcome } from '../audit.types';
import { AuditActionEnum, AuditDecisionEnum, AuditOutcomeFilterEnum } from '../models/audit-enums';

/** GraphQL filter; AuditService validates every field itself, for both channels alike. */
@InputType('AuditEventFilter', { description: 'All given conditions must hold' })
export class AuditEventFilter {
  @Field(() => String, { nullable: true })
  sessionId?: string;

  @Field(() => String, { nullable: true, description: 'Actor id or name, exactly' })
  actor?: string;

  @Field(() => AuditActionEnum, { nullable: true })
  action?: AuditAction;

  @Field(() => AuditOutcomeFilterEnum, { nullable: true })
  outcome?: AuditOutcome | 'pending';

  @Field(() => AuditDecisionEnum, { nullable: true })
  decision?: AuditDecision;

  @Field(() => String, { nullable: true, description: 'ISO 8601; records at or after' })
  since?: string;

  @Field(() => String, { nullable: true, description: 'ISO 8601; records strictly before' })
  until?: string;
}
