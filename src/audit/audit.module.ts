import { Global, Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { DENIED_ATTEMPT_RECORDER } from '../rbac/denied-attempt';
import { AuditController } from './audit.controller';
import { AuditResolver } from './audit.resolver';
import { AuditReads } from './audit-reads';
import { AuditService } from './audit.service';
import { CheckpointModule } from './checkpoint/checkpoint.module';
import { AuditedOperations } from './operations/audited-operations';
import { OperationAudit } from './operations/operation-audit';

/**
 * The audit log for the whole app, with the pipeline of audited operations (operations/).
 * Global so sessions and the RBAC guard reach it without importing it; it imports no auth or
 * rbac module (their guards are global, their decorators plain metadata). Its table lives in
 * the shared gateway database (DatabaseModule). Needs APP_CONFIG from ConfigModule.
 */
@Global()
@Module({
  imports: [DatabaseModule, CheckpointModule],
  providers: [
    AuditService,
    { provide: DENIED_ATTEMPT_RECORDER, useExisting: AuditService },
    AuditResolver,
    OperationAudit,
    AuditedOperations,
    AuditReads,
  ],
  controllers: [AuditController],
  exports: [AuditService, DENIED_ATTEMPT_RECORDER, OperationAudit, AuditedOperations],
})
export class AuditModule {}
