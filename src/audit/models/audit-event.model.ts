import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type {
  AuditAction,
  AuditChannel,
  AuditDecision,
  AuditOutcome,
  AuditRecord,
} from '../audit.types';
import {
  AuditActionEnum,
  AuditActorKindEnum,
  AuditChannelEnum,
  AuditDecisionEnum,
  AuditOutcomeEnum,
} from './audit-enums';

@ObjectType('AuditActor', { description: 'Who made the request, as authenticated' })
export class AuditActorModel {
  @Field(() => ID) id!: string;
  @Field(() => AuditActorKindEnum) kind!: 'user' | 'service';
  @Field({ description: 'Display name (token name claims with fallbacks, or key id)' })
  name!: string;
  @Field(() => String, {
    nullable: true,
    description: 'The value ${principal.name} was bound to (AUTH_USERNAME_CLAIM or key id)',
  })
  username!: string | null;
  @Field(() => [String]) roles!: string[];
  @Field() ip!: string;
  @Field(() => String, { nullable: true }) userAgent!: string | null;
}

@ObjectType('AuditUpstream', {
  description: 'What PAM Core answered (cleaned; never its raw body)',
})
export class AuditUpstreamModel {
  @Field(() => Int, { nullable: true }) status!: number | null;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => Int, { nullable: true }) durationMs!: number | null;
}

@ObjectType('AuditEvent', {
  description: 'One audit record: the intent and, once known, its outcome',
})
export class AuditEvent {
  @Field(() => ID) id!: string;
  @Field(() => Int, { description: 'Position of the intent entry in the hash chain' }) seq!: number;
  @Field({ description: 'ISO 8601 UTC time the intent was recorded' }) time!: string;
  @Field() requestId!: string;
  @Field(() => AuditChannelEnum) channel!: AuditChannel;
  @Field(() => AuditActorModel) actor!: AuditActorModel;
  @Field(() => AuditActionEnum) action!: AuditAction;
  @Field(() => String, { nullable: true }) sessionId!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => AuditDecisionEnum) decision!: AuditDecision;
  @Field(() => AuditOutcomeEnum, {
    nullable: true,
    description: 'Null while pending and for denied/invalid records',
  })
  outcome!: AuditOutcome | null;
  @Field(() => String, { nullable: true }) errorCode!: string | null;
  @Field(() => AuditUpstreamModel, { nullable: true }) upstream!: AuditUpstreamModel | null;
  @Field(() => ID, { nullable: true }) parentId!: string | null;
  @Field(() => String, { nullable: true, description: 'Structured extras as a JSON object text' })
  detailsJson!: string | null;
  @Field(() => String, { nullable: true }) outcomeTime!: string | null;
  @Field() prevHash!: string;
  @Field() hash!: string;
  @Field(() => Int, { nullable: true }) outcomeSeq!: number | null;
  @Field(() => String, { nullable: true }) outcomeHash!: string | null;
}

export function toAuditEvent(r: AuditRecord): AuditEvent {
  return {
    ...r,
    actor: { ...r.actor, username: r.actor.username ?? null, userAgent: r.actor.userAgent ?? null },
    detailsJson: r.details === null ? null : JSON.stringify(r.details),
    outcomeSeq: r.outcomeSeq ?? null,
    outcomeHash: r.outcomeHash ?? null,
  };
}
