import { auditQueryOf } from '../../../src/audit/audit-query';
import { AuditReads } from '../../../src/audit/audit-reads';
import type { AuditService } from '../../../src/audit/audit.service';
import type { AuditFilter, AuditPage } from '../../../src/audit/audit.types';
import { AuditEventsArgs } from '../../../src/audit/dto/audit-event-filter.input';
import { AuditedOperations } from '../../../src/audit/operations/audited-operations';
import type { CallContext } from '../../../src/audit/operations/call-context';
import { OperationAudit } from '../../../src/audit/operations/operation-audit';
import { validateInput } from '../../../src/common/validation/validate-input';

/**
 * One page as GraphQL's auditEvents would ask for it (same validation), without recording the
 * read: how tests look at what the log holds.
 */
export async function queryAudit(
  audit: AuditService,
  filter: AuditFilter | Record<string, unknown>,
  first = 50,
  after?: string | null,
): Promise<AuditPage> {
  const input = validateInput(AuditEventsArgs, { filter, first, after }).toInput();
  return audit.page(auditQueryOf(input));
}

/** The auditors' read (recorded), as the reader's channel (GraphQL args or REST query) sends it. */
export function readEvents(
  audit: AuditService,
  reader: CallContext,
  filter: AuditFilter | Record<string, unknown>,
  first: number,
  after?: string | null,
): Promise<AuditPage> {
  const records = new OperationAudit(audit);
  const reads = new AuditReads(new AuditedOperations(records), audit, records);
  const raw =
    reader.channel === 'graphql'
      ? { filter, first, after }
      : { ...filter, limit: String(first), ...(after ? { cursor: after } : {}) };
  return reads.read(reader, raw);
}
