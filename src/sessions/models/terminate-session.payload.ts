import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The answer to a termination, identical in both channels. */
@ObjectType()
export class TerminateSessionPayload {
  @Field(() => ID)
  @ApiProperty({ example: 'e7acacb6aedbab70073456da5744166939b77527' })
  sessionId!: string;

  @Field()
  @ApiProperty()
  terminated!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      "Segura's message when it is a documented one (success in English), else the generic one; never its raw body",
  })
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Session dropped successfully' })
  message!: string | null;

  @Field(() => ID)
  @ApiProperty({ description: 'Id of the audit record of this termination' })
  auditEventId!: string;

  @Field()
  @ApiProperty()
  requestId!: string;

  @Field({
    description: 'Segura refused the drop, and a lookup showed the session had already ended',
  })
  @ApiProperty({
    description: 'Segura refused the drop, and a lookup showed the session had already ended',
  })
  alreadyEnded!: boolean;

  @Field({ description: 'A lookup after the drop (or after a timeout) showed the session ended' })
  @ApiProperty({
    description: 'A lookup after the drop (or after a timeout) showed the session ended',
  })
  verified!: boolean;

  @Field({
    description:
      'True when this is the stored answer to an earlier request with the same idempotency key',
  })
  @ApiProperty({
    description:
      'True when this is the stored answer to an earlier request with the same idempotency key',
  })
  replayed!: boolean;
}
