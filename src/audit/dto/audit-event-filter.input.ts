import { ArgsType, InputType } from '@nestjs/graphql';
import { CursorField, NestedField, PageSizeField } from '../../common/validation/fields';
import { bad, invalid } from '../../common/validation/input-error';
import { QueryParams, RefuseUnknown } from '../../common/validation/validate-input';
import { DEFAULT_AUDIT_PAGE_SIZE, isAuditCursor, MAX_PAGE_SIZE } from '../audit-query';
import {
  AUDIT_ACTIONS,
  AUDIT_DECISIONS,
  AUDIT_OUTCOMES,
  type AuditAction,
  type AuditDecision,
  type AuditFilter,
  type AuditOutcome,
} from '../audit.types';
import { AuditActionEnum, AuditDecisionEnum, AuditOutcomeFilterEnum } from '../models/audit-enums';
import { AuditTextField, IsoTimeField, NotBeforeSince, OneOfField } from './audit-fields';

/** A validated audit read: filter, page size and the cursor as given (checked valid). */
export interface AuditReadInput {
  filter: AuditFilter;
  first: number;
  after: string | null;
}

const FILTER_KEYS = [
  'sessionId',
  'actor',
  'action',
  'outcome',
  'decision',
  'since',
  'until',
] as const satisfies ReadonlyArray<keyof AuditFilter>;

/** The filter of an audit read, for both channels alike. */
@InputType('AuditEventFilter', { description: 'All given conditions must hold' })
@RefuseUnknown((name) => bad(name, 'is not a known filter'))
export class AuditEventFilter {
  @AuditTextField()
  sessionId?: string;

  @AuditTextField('Actor id or name, exactly')
  actor?: string;

  @OneOfField(AUDIT_ACTIONS, AuditActionEnum)
  action?: AuditAction;

  @OneOfField([...AUDIT_OUTCOMES, 'pending'], AuditOutcomeFilterEnum)
  outcome?: AuditOutcome | 'pending';

  @OneOfField(AUDIT_DECISIONS, AuditDecisionEnum)
  decision?: AuditDecision;

  @IsoTimeField('ISO 8601; records at or after')
  since?: string;

  @NotBeforeSince
  @IsoTimeField('ISO 8601; records strictly before')
  until?: string;

  /** The conditions given. */
  conditions(): AuditFilter {
    const out: Record<string, unknown> = {};
    for (const k of FILTER_KEYS) if (this[k] !== undefined) out[k] = this[k];
    return out;
  }
}

const CURSOR = { valid: isAuditCursor, detail: 'is not a cursor this API returned' };
const PAGE = { max: MAX_PAGE_SIZE, default: DEFAULT_AUDIT_PAGE_SIZE };

/** GraphQL arguments of auditEvents. */
@ArgsType()
export class AuditEventsArgs {
  @NestedField(() => AuditEventFilter, { notObject: invalid('must be an object').context.fail })
  filter!: AuditEventFilter;

  @PageSizeField(PAGE)
  first!: number;

  @CursorField(CURSOR)
  after?: string;

  toInput(): AuditReadInput {
    return { filter: this.filter.conditions(), first: this.first, after: this.after ?? null };
  }
}

/** REST query of GET /api/v1/audit-events: the filter's fields, limit and cursor, each once. */
@QueryParams()
@RefuseUnknown((name) => bad(name, 'is not a known query parameter'))
export class AuditEventsQuery extends AuditEventFilter {
  @PageSizeField({ ...PAGE, description: `1 to ${MAX_PAGE_SIZE}, default ${PAGE.default}` })
  limit!: number;

  @CursorField(CURSOR)
  cursor?: string;

  toInput(): AuditReadInput {
    return { filter: this.conditions(), first: this.limit, after: this.cursor ?? null };
  }
}
