import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, type ValidationError, validateSync } from 'class-validator';
import { GatewayError } from '../../errors';
import { bad, type Failure } from './input-error';

/** Policy settings some rules depend on (reason required by the RBAC policy's options). */
export interface InputPolicy {
  requireReason?: boolean;
}

/** A class whose validated instance turns into the channel-neutral input `I`. */
export type InputClass<I> = new () => { toInput(): I };

type UnknownFieldError = (name: string, known: readonly string[]) => GatewayError;
const UNKNOWN_FIELD = Symbol('unknown-field');
const QUERY_PARAMS = Symbol('query-params');

/** How this input refuses a field it does not declare (subclasses inherit it). */
export function RefuseUnknown(error: UnknownFieldError): ClassDecorator {
  return (target) => Reflect.defineMetadata(UNKNOWN_FIELD, error, target);
}

/** A REST query: every value must be one plain string (a repeated parameter is an array). */
export function QueryParams(): ClassDecorator {
  return (target) => Reflect.defineMetadata(QUERY_PARAMS, true, target);
}

let policy: InputPolicy = {};

/** The policy of the validation running now (validation is synchronous). */
export function currentPolicy(): InputPolicy {
  return policy;
}

/**
 * Turns what a caller sent into a validated `cls` instance, or throws the BAD_USER_INPUT of the
 * first rule broken: unknown fields first, then fields in declaration order; a nested object's
 * fields before the object's own `late` rules (criteria that need valid fields).
 */
export function validateInput<T extends object>(
  cls: new () => T,
  raw: unknown,
  given: InputPolicy = {},
): T {
  const plain = (raw ?? {}) as Record<string, unknown>;
  if (Reflect.getMetadata(QUERY_PARAMS, cls)) checkQuery(cls, plain);
  const instance = toInstance(cls, plain);
  let errors: ValidationError[];
  policy = given;
  try {
    errors = validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
    });
  } finally {
    policy = {};
  }
  const failure = firstFailure(errors);
  if (failure) throw failure;
  return instance;
}

/**
 * `plain` as a `cls` instance, every declared field visited (absent ones as undefined), so each
 * field's transform runs and can supply its default.
 */
export function toInstance<T extends object>(cls: new () => T, plain: object): T {
  const complete: Record<string, unknown> = {};
  for (const name of knownFields(cls)) complete[name] = undefined;
  return plainToInstance(cls, Object.assign(complete, plain));
}

function checkQuery(cls: new () => object, query: Record<string, unknown>): void {
  const known = knownFields(cls);
  for (const [key, value] of Object.entries(query)) {
    if (!known.includes(key)) throw unknownField(cls, key);
    if (typeof value !== 'string')
      throw bad(key.slice(0, 40), 'must be given once, as a plain value');
  }
}

function firstFailure(errors: ValidationError[]): GatewayError | undefined {
  for (const e of errors) {
    const failed = ruleFailures(e);
    const found =
      failed.find((f) => !f.late)?.error ?? firstFailure(e.children ?? []) ?? failed[0]?.error;
    if (found) return found;
    if (e.constraints) return bad(e.property.slice(0, 40), 'is not valid');
  }
  return undefined;
}

/** The errors of the rules `e` broke, in the order they ran; `late` ones yield to nested fields. */
function ruleFailures(e: ValidationError): Array<{ error: GatewayError; late?: boolean }> {
  const out: Array<{ error: GatewayError; late?: boolean }> = [];
  for (const rule of Object.keys(e.constraints ?? {})) {
    if (rule === 'whitelistValidation') {
      const cls = (e.target as object).constructor as new () => object;
      out.push({ error: unknownField(cls, e.property) });
      continue;
    }
    const context = e.contexts?.[rule] as { fail?: Failure; late?: boolean } | undefined;
    if (context?.fail) out.push({ error: context.fail(e.property), late: context.late });
  }
  return out;
}

function unknownField(cls: new () => object, name: string): GatewayError {
  const error = Reflect.getMetadata(UNKNOWN_FIELD, cls) as UnknownFieldError | undefined;
  return error ? error(name, knownFields(cls)) : bad(name.slice(0, 40), 'is not a known field');
}

const fieldsOf = new WeakMap<object, readonly string[]>();

/** The fields `cls` declares (its own and inherited), in declaration order. */
export function knownFields(cls: new () => object): readonly string[] {
  let fields = fieldsOf.get(cls);
  if (!fields) {
    const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
    fields = [...new Set(metas.map((m) => m.propertyName))];
    fieldsOf.set(cls, fields);
  }
  return fields;
}
