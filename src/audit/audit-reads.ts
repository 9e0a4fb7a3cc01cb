import { Injectable } from '@nestjs/common';
import { auditQueryOf } from './audit-query';
import { AuditService } from './audit.service';
import type { AuditPage } from './audit.types';
import {
  type AuditReadInput,
  AuditEventsArgs,
  AuditEventsQuery,
} from './dto/audit-event-filter.input';
import { type AuditedOperation, AuditedOperations } from './operations/audited-operations';
import type { CallContext } from './operations/call-context';
import { OperationAudit } from './operations/operation-audit';

/**
 * The auditors' read, an audited operation like the others: validated (an invalid read is
 * recorded), queried, recorded (intent and outcome in one commit), and only then answered.
 * If the record cannot be written nothing is returned.
 */
@Injectable()
export class AuditReads {
  constructor(
    private readonly ops: AuditedOperations,
    private readonly audit: AuditService,
    private readonly records: OperationAudit,
  ) {}

  private readonly reading: AuditedOperation<AuditReadInput, AuditPage> = {
    action: 'audit.read',
    metric: 'audit-read',
    input: { rest: AuditEventsQuery, graphql: AuditEventsArgs },
    act: async ({ input, base }) => {
      const page = await this.audit.page(auditQueryOf(input));
      await this.records.completed(
        { ...base, decision: 'allowed', details: { ...input } },
        { outcome: 'succeeded', details: { count: page.items.length } },
      );
      return page;
    },
  };

  /** REST: the query; GraphQL: {filter, first, after}. */
  read(ctx: CallContext, raw: object): Promise<AuditPage> {
    return this.ops.run(ctx, this.reading, raw);
  }
}
