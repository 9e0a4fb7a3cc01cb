import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { GatewayRequest } from '../auth/request-context';
import { RbacService } from '../rbac/rbac.service';
import { Authenticated } from '../rbac/require-permission.decorator';
import type { SessionScope } from '../rbac/session-scope';
import { RemoteSessionModel } from './models/remote-session.model';

/**
 * Per-session rights, so a page offers only what the caller may do (the server still checks
 * every termination). The caller already passed the listing's own permission.
 */
@Resolver(() => RemoteSessionModel)
export class SessionRightsResolver {
  // One compiled scope per request, not per listed session.
  private readonly scopes = new WeakMap<object, SessionScope>();

  constructor(private readonly rbac: RbacService) {}

  @ResolveField(() => Boolean, {
    description: 'Whether you may terminate this session (your scoped session:terminate rules)',
  })
  @Authenticated()
  canTerminate(
    @Parent() session: RemoteSessionModel,
    @Context() ctx: { req: GatewayRequest },
  ): boolean {
    const principal = ctx.req.principal;
    if (!principal || !session.active) return false;
    let scope = this.scopes.get(ctx.req);
    if (!scope) {
      scope = this.rbac.scopeOf(principal, 'session:terminate');
      this.scopes.set(ctx.req, scope);
    }
    return scope.allows(session);
  }
}
