import { applyDecorators } from '@nestjs/common';
import { Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  Max,
  Min,
  registerDecorator,
  ValidateNested,
} from 'class-validator';
import { GatewayError } from '../../errors';
import { type Failure, failing, invalid } from './input-error';
import { toInstance } from './validate-input';

/**
 * Shared field declarations: each applies the validation rules (class-validator), the OpenAPI
 * property (@nestjs/swagger) and the GraphQL field (@nestjs/graphql) in one call, so a field
 * is declared once for all three. A GraphQL @Field on a class GraphQL never registers (a REST
 * query or body) is inert, as is @ApiProperty on a class OpenAPI never reads.
 */

/**
 * A rule of its own: `test` sees the value and the object holding it. A `late` rule is reported
 * only when the nested object's own fields are valid.
 */
export function Rule(
  name: string,
  test: (value: unknown, object: Record<string, unknown>) => boolean,
  fail: Failure,
  o: { late?: boolean } = {},
): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(property),
      options: { context: { fail, late: o.late } },
      validator: {
        validate: (v, args) => test(v, (args?.object ?? {}) as Record<string, unknown>),
        // Non-empty: class-validator attaches the context (our error) only to a message.
        defaultMessage: () => `${String(property)} breaks ${name}`,
      },
    });
}

/** Strings "true"/"false" (REST query) and booleans; `default` for absent and null. */
export function FlagField(o: { description?: string; default?: boolean } = {}) {
  const doc = { description: o.description, default: o.default };
  return applyDecorators(
    Field(() => Boolean, {
      nullable: true,
      ...(o.description !== undefined && { description: o.description }),
      ...(o.default !== undefined && { defaultValue: o.default }),
    }),
    ApiPropertyOptional({ type: Boolean, ...doc }),
    Transform(({ value }: { value: unknown }) =>
      value === 'true' ? true : value === 'false' ? false : (value ?? o.default),
    ),
    IsOptional(),
    IsBoolean(invalid('must be true or false')),
  );
}

/** A page size from 1 to `max` (REST: digits; GraphQL: Int); absent or null is `default`. */
export function PageSizeField(o: { max: number; default: number; description?: string }) {
  const rule = invalid(`must be a whole number from 1 to ${o.max}`);
  return applyDecorators(
    Field(() => Int, { nullable: true, defaultValue: o.default }),
    ApiPropertyOptional({ type: Number, description: o.description }),
    Transform(({ value }: { value: unknown }) => {
      if (value === undefined || value === null) return o.default;
      if (typeof value === 'string') return /^\d{1,6}$/.test(value) ? Number(value) : NaN;
      return value;
    }),
    IsInt(rule),
    Min(1, rule),
    Max(o.max, rule),
  );
}

/** A cursor this API returned (`valid` decides); absent or null is the first page. */
export function CursorField(o: { valid: (cursor: string) => boolean; detail: string }) {
  const description = 'nextCursor of the previous page';
  return applyDecorators(
    Field(() => String, { nullable: true }),
    ApiPropertyOptional({ description }),
    IsOptional(),
    Rule('cursor', (v) => typeof v === 'string' && o.valid(v), invalid(o.detail).context.fail),
  );
}

/**
 * A nested object validated as `cls` (a filter, a REST body). Absent or null becomes an empty
 * `cls`, so rules that apply to a missing object (required fields, criteria) still run.
 */
export function NestedField(
  cls: () => new () => object,
  o: { notObject: Failure; description?: string },
) {
  return applyDecorators(
    Field(cls, { nullable: true, description: o.description }),
    ApiPropertyOptional({ type: cls(), description: o.description }),
    Transform(({ value }: { value: unknown }) => {
      const v = value ?? {};
      return typeof v === 'object' && !Array.isArray(v) ? toInstance(cls(), v) : v;
    }),
    IsObject(failing(o.notObject)),
    ValidateNested(),
  );
}

/** The error for a REST body that is not a JSON object. */
export const bodyNotObject: Failure = () =>
  new GatewayError('BAD_USER_INPUT', 'Invalid body', {
    field: 'body',
    detail: 'body must be a JSON object',
  });
