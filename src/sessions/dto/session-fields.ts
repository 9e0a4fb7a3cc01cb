import { applyDecorators } from '@nestjs/common';
import { Field, ID } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { AUDIT_TEXT_BOUNDS } from '../../audit/audit-text';
import { failing, invalid } from '../../common/validation/input-error';
import { Rule } from '../../common/validation/fields';
import { currentPolicy } from '../../common/validation/validate-input';
import { GatewayError } from '../../errors';
import { SESSION_ID_PATTERN } from '../../pam-core';
import { hasUnknownPlaceholder, MAX_PATTERN_LENGTH } from '../../rbac/glob';

/** Field declarations of the sessions inputs: validation, OpenAPI and GraphQL in one call each. */

export const REASON_MAX_LENGTH = AUDIT_TEXT_BOUNDS.reason;
export const IDEMPOTENCY_KEY_MAX = AUDIT_TEXT_BOUNDS.idempotencyKey;
const KEY_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${IDEMPOTENCY_KEY_MAX}}$`);
export const IDEMPOTENCY_KEY_DESCRIPTION =
  'Repeating a key (same caller, within IDEMPOTENCY_TTL_HOURS) returns the first answer without calling Segura';

/** Segura's session id: checked before anything else happens with it. */
export function SessionIdField(description = "Segura's session id") {
  const rule = failing(
    (field) =>
      new GatewayError('BAD_USER_INPUT', 'Invalid session id', {
        field,
        detail: `${field} must match ${SESSION_ID_PATTERN.source}`,
      }),
  );
  return applyDecorators(
    Field(() => ID),
    ApiProperty({ description, pattern: SESSION_ID_PATTERN.source }),
    IsString(rule),
    Matches(SESSION_ID_PATTERN, rule),
  );
}

function reasonError(message: string, detail: string) {
  return () => new GatewayError('BAD_USER_INPUT', message, { field: 'reason', detail });
}

/** Why: trimmed ('' is none), at most REASON_MAX_LENGTH characters, required when the policy says so. */
export function ReasonField(description?: string) {
  return applyDecorators(
    Field(() => String, { nullable: true, ...(description !== undefined && { description }) }),
    ApiPropertyOptional({ maxLength: REASON_MAX_LENGTH, description }),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim() || undefined : (value ?? undefined),
    ),
    Rule(
      'reasonType',
      (v) => v === undefined || typeof v === 'string',
      reasonError('Invalid reason', 'reason must be a string'),
    ),
    Rule(
      'reasonLength',
      (v) => typeof v !== 'string' || v.length <= REASON_MAX_LENGTH,
      reasonError('Reason too long', `reason must be at most ${REASON_MAX_LENGTH} characters`),
    ),
    Rule(
      'reasonRequired',
      (v) => v !== undefined || !currentPolicy().requireReason,
      reasonError('Reason required', 'reason is required by policy'),
    ),
  );
}

/** Idempotency-Key header / idempotencyKey argument: absent, or 1 to 128 printable ASCII characters. */
export function IdempotencyKeyField() {
  const rule = failing(
    () =>
      new GatewayError('BAD_USER_INPUT', 'Invalid idempotency key', {
        field: 'idempotencyKey',
        detail: `idempotencyKey must be 1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces`,
      }),
  );
  return applyDecorators(
    Field(() => String, { nullable: true, description: IDEMPOTENCY_KEY_DESCRIPTION }),
    ApiPropertyOptional({ description: IDEMPOTENCY_KEY_DESCRIPTION }),
    // GraphQL's explicit null (what the console sends without a key) is no key, as absent is.
    Transform(({ value }: { value: unknown }) => (value === null ? undefined : value)),
    IsOptional(),
    IsString(rule),
    Matches(KEY_PATTERN, rule),
  );
}

/** A glob filter (`*`, `?`), case-insensitive, 1 to MAX_PATTERN_LENGTH characters. */
export function GlobFilterField(description: string, example?: string) {
  const rule = invalid(
    `must be a pattern of 1 to ${MAX_PATTERN_LENGTH} characters (* and ? are wildcards)`,
  );
  return applyDecorators(
    Field(() => String, { nullable: true, description }),
    ApiPropertyOptional({ description, example }),
    IsOptional(),
    IsString(rule),
    MinLength(1, rule),
    MaxLength(MAX_PATTERN_LENGTH, rule),
    Rule(
      'placeholders',
      (v) => typeof v !== 'string' || !hasUnknownPlaceholder(v),
      rule.context.fail,
    ),
  );
}

// Segura's times carry no zone (they are its local time), so filters take the same form.
const NAIVE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?)?$/;

/** Segura wall-clock time, normalised to YYYY-MM-DDTHH:MM:SS. */
export function NaiveTimeField(description: string, example?: string) {
  const rule = invalid(
    'must be Segura wall-clock time without zone: YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS',
  );
  return applyDecorators(
    Field(() => String, { nullable: true, description }),
    ApiPropertyOptional({ description, example }),
    Transform(({ value }: { value: unknown }) => {
      const m = typeof value === 'string' ? NAIVE_TIME.exec(value) : null;
      return m ? `${m[1]}T${m[2] ?? '00:00'}${m[3] ?? ':00'}` : value;
    }),
    IsOptional(),
    Rule('naiveTime', (v) => typeof v === 'string' && NAIVE_TIME.test(v), rule.context.fail),
  );
}
