import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES } from '../../errors';
import { AUDIT_ACTIONS, AUDIT_CHANNELS, AUDIT_DECISIONS, AUDIT_OUTCOMES } from '../audit.types';

// OpenAPI shapes of the REST answer; the runtime value is an AuditPage (audit.types.ts).
export class AuditActorDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['user', 'service'] }) kind!: string;
  @ApiProperty({ description: 'Display name (token name claims with fallbacks, or key id)' })
  name!: string;
  @ApiPropertyOptional({
    description: 'The value ${principal.name} was bound to (AUTH_USERNAME_CLAIM or key id)',
  })
  username?: string;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty() ip!: string;
  @ApiPropertyOptional() userAgent?: string;
}

export class AuditUpstreamDto {
  @ApiProperty({ type: Number, nullable: true }) status!: number | null;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
  @ApiProperty({ type: Number, nullable: true }) durationMs!: number | null;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Position of the intent entry in the hash chain' }) seq!: number;
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiProperty() requestId!: string;
  @ApiProperty({ enum: AUDIT_CHANNELS }) channel!: string;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action!: string;
  @ApiProperty({ type: String, nullable: true }) sessionId!: string | null;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ enum: AUDIT_DECISIONS }) decision!: string;
  @ApiProperty({
    enum: AUDIT_OUTCOMES,
    nullable: true,
    description: 'null while pending and for denied/invalid records',
  })
  outcome!: string | null;
  @ApiProperty({ enum: ERROR_CODES, nullable: true }) errorCode!: string | null;
  @ApiProperty({ type: AuditUpstreamDto, nullable: true }) upstream!: AuditUpstreamDto | null;
  @ApiProperty({ type: String, nullable: true }) parentId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  details!: Record<string, unknown> | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) outcomeTime!: string | null;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
  @ApiProperty({ type: Number, nullable: true }) outcomeSeq!: number | null;
  @ApiProperty({ type: String, nullable: true }) outcomeHash!: string | null;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto], description: 'Newest first' }) items!: AuditEventDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next (older) page',
  })
  nextCursor!: string | null;
}
