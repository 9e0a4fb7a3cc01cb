import { Global, Module } from '@nestjs/common';
import { DENIED_ATTEMPT_RECORDER } from '../rbac/denied-attempt';
import { AuditController } from './audit.controller';
import { AuditResolver } from './audit.resolver';
import { AuditReads } from './audit-reads';
import { AuditService } from './audit.service';
import { AuditedOperations } from './operations/audited-operations';
import { OperationAudit } from './operations/operation-audit';

/**
 * The audit log for the whole app. Global so sessions and the RBAC guard reach it without
 * importing it, with the pipeline of audited operations (operations/); it imports no auth or rbac module (their guards are global, their decorators
 * plain metadata). Needs APP_CONFIG from ConfigModule.
 */
@Global()
@Module({
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
