import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { PamCoreModule } from '../pam-core';
import { RbacModule } from '../rbac/rbac.module';
import { RedisModule } from '../redis';
import { BulkTermination } from './bulk-termination';
import { IdempotencyService } from './idempotency.service';
import { SessionListCache } from './session-list.cache';
import { SessionReader } from './session-reader';
import { SessionTerminator } from './session-terminator';
import { SessionsController } from './sessions.controller';
import { SessionsResolver } from './sessions.resolver';
import { SESSIONS_OPTIONS_PROVIDER } from './sessions.options';
import { SessionsService } from './sessions.service';

@Module({
  imports: [PamCoreModule, RbacModule, RedisModule, IdempotencyModule],
  controllers: [SessionsController],
  providers: [
    SESSIONS_OPTIONS_PROVIDER,
    SessionsService,
    SessionsResolver,
    SessionTerminator,
    SessionReader,
    BulkTermination,
    SessionListCache,
    IdempotencyService,
  ],
})
export class SessionsModule {}
