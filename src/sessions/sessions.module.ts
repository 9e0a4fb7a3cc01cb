import { Module } from '@nestjs/common';
import { PamCoreModule } from '../pam-core';
import { RbacModule } from '../rbac/rbac.module';
import { RedisModule } from '../redis';
import { BulkTermination } from './bulk-termination';
import { IdempotencyService } from './idempotency.service';
import { IdempotencyStore } from './idempotency.store';
import { SessionListCache } from './session-list.cache';
import { SessionReader } from './session-reader';
import { SessionTerminator } from './session-terminator';
import { SessionsController } from './sessions.controller';
import { SessionsResolver } from './sessions.resolver';
import { SESSIONS_OPTIONS_PROVIDER } from './sessions.options';
import { SessionsService } from './sessions.service';
import { SharedCache } from './shared-cache';

@Module({
  imports: [PamCoreModule, RbacModule, RedisModule],
  controllers: [SessionsController],
  providers: [
    SESSIONS_OPTIONS_PROVIDER,
    SessionsService,
    SessionsResolver,
    SessionTerminator,
    SessionReader,
    BulkTermination,
    SessionListCache,
    SharedCache,
    IdempotencyStore,
    IdempotencyService,
  ],
})
export class SessionsModule {}
