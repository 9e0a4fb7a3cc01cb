import { Field, InputType } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';

const PATTERN = 'Glob pattern (* and ?), case-insensitive';
const TIME = "Segura's wall-clock time, no zone: YYYY-MM-DD[THH:MM[:SS]]";

/** Listing and bulk criteria; the service validates every field itself, for both channels. */
@InputType('RemoteSessionFilter', { description: 'All given conditions must hold' })
export class RemoteSessionFilter {
  @Field(() => Boolean, { nullable: true })
  @ApiPropertyOptional()
  active?: boolean;

  @Field(() => String, { nullable: true, description: PATTERN })
  @ApiPropertyOptional({ description: PATTERN, example: 'admin-x' })
  user?: string;

  @Field(() => String, { nullable: true, description: `${PATTERN}; host:port or host` })
  @ApiPropertyOptional({ description: `${PATTERN}; host:port or host`, example: 'dc*.corp.local' })
  device?: string;

  @Field(() => String, { nullable: true, description: PATTERN })
  @ApiPropertyOptional({ description: PATTERN, example: 'rdp' })
  protocol?: string;

  @Field(() => String, { nullable: true, description: PATTERN })
  @ApiPropertyOptional({ description: PATTERN, example: '10.0.0.*' })
  originIp?: string;

  @Field(() => String, { nullable: true, description: PATTERN })
  @ApiPropertyOptional({ description: PATTERN })
  credential?: string;

  @Field(() => String, { nullable: true, description: `${TIME}; inclusive` })
  @ApiPropertyOptional({ description: `${TIME}; inclusive`, example: '2024-05-06T16:00' })
  startedAfter?: string;

  @Field(() => String, { nullable: true, description: `${TIME}; exclusive` })
  @ApiPropertyOptional({ description: `${TIME}; exclusive` })
  startedBefore?: string;
}

/** Bulk criteria: the same, and `all` to allow a filter with no criterion (every active session). */
@InputType('BulkTerminationFilter', {
  description: 'Active sessions matching all given conditions; at least one, or all: true',
})
export class BulkTerminationFilter extends RemoteSessionFilter {
  @Field(() => Boolean, { nullable: true, description: 'Required to act with no criterion' })
  @ApiPropertyOptional({ description: 'Required to act with no criterion' })
  all?: boolean;
}
