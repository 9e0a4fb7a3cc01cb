import { z } from 'zod';

// The field types of the environment contract (config.schema.ts), each parsing a string.

/** Parses "true"/"false" (and 1/0, yes/no) strictly; anything else is an error. */
export const bool = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const s = v.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(s)) return true;
      if (['false', '0', 'no'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    });

export const int = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      if (!/^\d+$/.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** Like int(), but absent or empty stays undefined (the consumer picks a context default). */
export const optionalInt = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!(n >= min && n <= max)) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

export const httpUrl = (msg = 'must be an http(s) URL') =>
  z.string({ message: `is required and ${msg}` }).refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, msg);

export const optionalHttpUrl = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .refine((v) => {
    if (v === undefined) return true;
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** Path template or path: must start with "/" and contain no query or fragment. */
/** A comma-separated list: entries trimmed, empty ones dropped, each matching `entry`. */
export const commaList = (entry: RegExp, msg: string) =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every((e) => entry.test(e)), msg);

export const path = (def: string, needsId = false) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : v))
    .refine((v) => /^\/[^?#\s]*$/.test(v), 'must be a path starting with "/"')
    .refine(
      (v) => !needsId || v.includes('{sessionId}'),
      'must contain the placeholder {sessionId}',
    );

/** A text setting that falls back to `def` when unset or empty, then must match `pattern`. */
export const textWithDefault = (def: string, pattern: RegExp, msg: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : v))
    .refine((v) => pattern.test(v), msg);

/** A required, non-empty text; `message` says what it is when it is missing. */
export const requiredText = (message: string) => z.string({ message }).min(1, 'must not be empty');
