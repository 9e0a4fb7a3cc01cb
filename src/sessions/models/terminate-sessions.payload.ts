import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RemoteSessionModel } from './remote-session.model';

/** What happened (or, in a dry run, would happen) to one session of a bulk request. */
@ObjectType()
export class BulkTerminationResult {
  @Field(() => ID)
  @ApiProperty()
  sessionId!: string;

  @Field(() => RemoteSessionModel, { description: 'The session as listed when the set was chosen' })
  @ApiProperty({ type: RemoteSessionModel })
  session!: RemoteSessionModel;

  @Field({ description: 'False in a dry run' })
  @ApiProperty({ description: 'False in a dry run' })
  terminated!: boolean;

  @Field()
  @ApiProperty()
  alreadyEnded!: boolean;

  @Field()
  @ApiProperty()
  verified!: boolean;

  @Field(() => String, { nullable: true, description: 'Error code when this session failed' })
  @ApiPropertyOptional({ type: String, nullable: true, example: 'UPSTREAM_TIMEOUT' })
  code!: string | null;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, nullable: true })
  message!: string | null;

  @Field(() => ID, {
    nullable: true,
    description: "This session's audit record (null in a dry run)",
  })
  @ApiPropertyOptional({ type: String, nullable: true })
  auditEventId!: string | null;
}

/** The answer to a bulk termination, identical in both channels. */
@ObjectType()
export class TerminateSessionsPayload {
  @Field()
  @ApiProperty()
  dryRun!: boolean;

  @Field(() => Int, { description: 'Sessions chosen: active, matching, within your scope' })
  @ApiProperty()
  matched!: number;

  @Field(() => Int)
  @ApiProperty()
  terminatedCount!: number;

  @Field(() => Int)
  @ApiProperty()
  failedCount!: number;

  @Field(() => [BulkTerminationResult], { description: 'In listing order (newest first)' })
  @ApiProperty({ type: [BulkTerminationResult] })
  results!: BulkTerminationResult[];

  @Field(() => ID, { description: 'The parent audit record of this request' })
  @ApiProperty()
  auditEventId!: string;

  @Field({ description: 'ISO 8601 UTC time the session list was fetched for this request' })
  @ApiProperty({ format: 'date-time' })
  fetchedAt!: string;

  @Field()
  @ApiProperty()
  requestId!: string;

  @Field({
    description:
      'True when this is the stored answer to an earlier request with the same idempotency key',
  })
  @ApiProperty()
  replayed!: boolean;
}
