import { GatewayError } from '../../errors';

/** The error a rule answers with, given the name of the field at fault. */
export type Failure = (field: string) => GatewayError;

/** BAD_USER_INPUT naming `field`; message and detail say what is wrong with it. */
export function bad(field: string, detail: string): GatewayError {
  const message = `Invalid ${field}: ${detail}`;
  return new GatewayError('BAD_USER_INPUT', message, { field, detail: message });
}

/** class-validator options that make a rule answer with `fail` (read by validateInput). */
export function failing(fail: Failure): { context: { fail: Failure } } {
  return { context: { fail } };
}

/** {@link failing} with the usual "Invalid <field>: <detail>" error. */
export function invalid(detail: string): { context: { fail: Failure } } {
  return failing((field) => bad(field, detail));
}
