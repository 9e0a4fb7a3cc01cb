import { registerEnumType } from '@nestjs/graphql';
import {
  AUDIT_ACTIONS,
  AUDIT_CHANNELS,
  AUDIT_DECISIONS,
  AUDIT_OUTCOMES,
  type AuditAction,
  type AuditChannel,
  type AuditDecision,
  type AuditOutcome,
} from '../audit.types';

/**
 * GraphQL enum names must be identifiers, while stored values are 'session.terminate' etc.:
 * SESSION_TERMINATE in the schema maps to 'session.terminate' in code, one source for both.
 */
function enumOf<T extends string>(values: readonly T[]): Record<string, T> {
  return Object.fromEntries(values.map((v) => [v.toUpperCase().replace(/[^A-Z0-9]/g, '_'), v]));
}

export const AuditActionEnum = enumOf<AuditAction>(AUDIT_ACTIONS);
export const AuditChannelEnum = enumOf<AuditChannel>(AUDIT_CHANNELS);
export const AuditDecisionEnum = enumOf<AuditDecision>(AUDIT_DECISIONS);
export const AuditOutcomeEnum = enumOf<AuditOutcome>(AUDIT_OUTCOMES);
export const AuditOutcomeFilterEnum = enumOf<AuditOutcome | 'pending'>([
  ...AUDIT_OUTCOMES,
  'pending',
]);
export const AuditActorKindEnum = enumOf<'user' | 'service'>(['user', 'service']);

registerEnumType(AuditActionEnum, { name: 'AuditAction', description: 'What was attempted' });
registerEnumType(AuditChannelEnum, {
  name: 'AuditChannel',
  description: 'API the request came through',
});
registerEnumType(AuditDecisionEnum, {
  name: 'AuditDecision',
  description: 'allowed (forwarded), denied by RBAC, or invalid input (never forwarded)',
});
registerEnumType(AuditOutcomeEnum, { name: 'AuditOutcome', description: 'What happened upstream' });
registerEnumType(AuditOutcomeFilterEnum, {
  name: 'AuditOutcomeFilter',
  description: 'An outcome, or PENDING for allowed records not closed yet',
});
registerEnumType(AuditActorKindEnum, { name: 'AuditActorKind' });
