import { recordableText } from '../audit/audit-text';

/**
 * Why a credential was refused, for the operator log only. The caller always gets the same
 * generic UNAUTHENTICATED answer, so the reason may be specific but must never contain the
 * credential itself (token, key, Authorization header).
 */
export class AuthRejection extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AuthRejection';
  }
}

/** Makes attacker-controlled text (a JWT `alg`, say) safe to put in one log line. */
export function logSafe(value: unknown, max = 32): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return recordableText(text, max);
}
