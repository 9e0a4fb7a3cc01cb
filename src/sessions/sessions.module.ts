import { Module } from '@nestjs/common';
import { PamCoreModule } from '../pam-core';
import { RbacModule } from '../rbac/rbac.module';
import { SessionsController } from './sessions.controller';
import { SessionsResolver } from './sessions.resolver';
import { SessionsService } from './sessions.service';

@Module({
  imports: [PamCoreModule, RbacModule],
  controllers: [SessionsController],
  providers: [SessionsService, SessionsResolver],
})
export class SessionsModule {}
