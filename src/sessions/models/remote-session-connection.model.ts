import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { RemoteSessionModel } from './remote-session.model';

/** How fresh a listing is: shared by both channels' page types. */
@ObjectType({ isAbstract: true })
export class Freshness {
  @Field(() => Int, { description: 'Matching sessions on all pages' })
  @ApiProperty({ description: 'Matching sessions on all pages' })
  totalCount!: number;

  @Field({ description: 'True when Segura was slow or failing and an older list was served' })
  @ApiProperty({
    description: 'True when Segura was slow or failing and an older list was served',
  })
  stale!: boolean;

  @Field(() => Int, { description: 'Seconds since the list was fetched from Segura' })
  @ApiProperty({ description: 'Seconds since the list was fetched from Segura' })
  ageSeconds!: number;

  @Field({ description: 'ISO 8601 UTC time the list arrived from Segura' })
  @ApiProperty({ format: 'date-time' })
  fetchedAt!: string;

  @Field(() => String, { nullable: true, description: 'Null on the last page' })
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' })
  nextCursor!: string | null;
}

/** GraphQL page: newest sessions first; pass nextCursor as `after`. */
@ObjectType('RemoteSessionConnection')
export class RemoteSessionConnection extends Freshness {
  @Field(() => [RemoteSessionModel]) nodes!: RemoteSessionModel[];
}

/** REST page of GET /api/v1/sessions (OpenAPI shape); pass nextCursor as `cursor`. */
export class RemoteSessionPageDto extends Freshness {
  @ApiProperty({ type: [RemoteSessionModel], description: 'Newest first' })
  items!: RemoteSessionModel[];
}
