import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

/** The caller as the gateway sees them, and the policy options that change what a page offers. */
@ObjectType('Me', { description: 'The authenticated caller and what they may do' })
export class MeModel {
  @Field(() => ID, { description: 'JWT sub, or the service key id' })
  id!: string;

  @Field({ description: 'USER (a token) or SERVICE (an API key)' })
  kind!: string;

  @Field({ description: 'Display name (token name claims with fallbacks, or key id)' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The value ${principal.name} is bound to (AUTH_USERNAME_CLAIM or key id)',
  })
  username!: string | null;

  @Field(() => [String])
  roles!: string[];

  @Field(() => [String], {
    description:
      'Permissions held in at least one scope (session:read, session:terminate, audit:read, ...); per-session rights: RemoteSession.canTerminate',
  })
  permissions!: string[];

  @Field({ description: 'A termination without a reason is refused (policy requireReason)' })
  requireReason!: boolean;

  @Field(() => Int, {
    nullable: true,
    description:
      'Most sessions one bulk termination may end (policy bulkMax); null with session:terminate:bulk',
  })
  bulkMax!: number | null;
}
