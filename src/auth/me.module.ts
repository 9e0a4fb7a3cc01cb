import { Module } from '@nestjs/common';
import { RbacModule } from '../rbac/rbac.module';
import { SessionRightsResolver } from '../sessions/session-rights.resolver';
import { SESSIONS_OPTIONS_PROVIDER } from '../sessions/sessions.options';
import { MeResolver } from './me.resolver';

/** What the caller may do, for pages: the `me` query and RemoteSession.canTerminate. */
@Module({
  imports: [RbacModule],
  providers: [SESSIONS_OPTIONS_PROVIDER, MeResolver, SessionRightsResolver],
})
export class MeModule {}
