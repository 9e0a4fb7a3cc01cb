import { applyDecorators } from '@nestjs/common';
import { Field } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { Rule } from '../../common/validation/fields';
import { invalid } from '../../common/validation/input-error';
import { AUDIT_TEXT_BOUNDS } from '../audit-text';

/** Field declarations of the audit filters: validation, OpenAPI and GraphQL in one call each. */

/** Longest text filter (session id, actor): the bound the record keeps of a filter value. */
export const AUDIT_FILTER_TEXT_MAX = AUDIT_TEXT_BOUNDS.filterValue;

/** Text compared exactly, 1 to AUDIT_FILTER_TEXT_MAX characters. */
export function AuditTextField(description?: string) {
  const rule = invalid(`must be a string of 1 to ${AUDIT_FILTER_TEXT_MAX} characters`);
  return applyDecorators(
    Field(() => String, { nullable: true, ...(description !== undefined && { description }) }),
    ApiPropertyOptional({ description }),
    IsOptional(),
    IsString(rule),
    Length(1, AUDIT_FILTER_TEXT_MAX, rule),
  );
}

/** One of `values`; GraphQL takes them as `gqlEnum` (SESSION_TERMINATE for session.terminate). */
export function OneOfField(values: readonly string[], gqlEnum: object) {
  return applyDecorators(
    Field(() => gqlEnum, { nullable: true }),
    ApiPropertyOptional({ enum: values }),
    IsOptional(),
    IsIn(values, invalid(`must be one of ${values.join(', ')}`)),
  );
}

// An offset is required with a time of day: a zone-less time would be read in server local time.
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/i;

function instant(value: unknown): number {
  return typeof value === 'string' && ISO_8601.test(value) ? Date.parse(value) : NaN;
}

/** An ISO 8601 date or date-time with offset, normalised to UTC (toISOString). */
export function IsoTimeField(description: string) {
  const rule = invalid(
    'must be an ISO 8601 date or date-time with offset, e.g. 2026-01-31T12:00:00Z',
  );
  return applyDecorators(
    Field(() => String, { nullable: true, description }),
    ApiPropertyOptional({ description }),
    Transform(({ value }: { value: unknown }) => {
      const ms = instant(value);
      return Number.isNaN(ms) ? value : new Date(ms).toISOString();
    }),
    IsOptional(),
    Rule('isoTime', (v) => !Number.isNaN(instant(v)), rule.context.fail),
  );
}

/** `until` must not be earlier than `since` (both already normalised). */
export const NotBeforeSince = Rule(
  'notBeforeSince',
  (until, filter) => typeof filter.since !== 'string' || (until as string) >= filter.since,
  invalid('must not be earlier than since').context.fail,
);
