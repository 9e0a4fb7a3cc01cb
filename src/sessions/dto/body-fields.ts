import { recordableText } from '../../audit/audit-text';
import { GatewayError } from '../../errors';

/** A REST body field the body does not declare. */
export function unknownBodyField(name: string, known: readonly string[]): GatewayError {
  const field = recordableText(name, 40);
  const accepted = known.map((k) => `"${k}"`).join(', ');
  return new GatewayError('BAD_USER_INPUT', 'Unknown field', {
    field,
    detail: `unknown field "${field}"; only ${accepted} ${known.length === 1 ? 'is' : 'are'} accepted`,
  });
}
