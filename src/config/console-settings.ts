import { z } from 'zod';

/** The operator console (console/, served at /console) and the OIDC client it signs in as. */
export interface ConsoleSettings {
  /** CONSOLE: false turns it off even when a client id is set. */
  enabled: boolean;
  /** CONSOLE_OIDC_CLIENT_ID: the console's public client at the issuer; unset: console off. */
  clientId?: string;
  /** CONSOLE_OIDC_SCOPES, space-separated, always including openid. */
  scopes: string;
}

// RFC 6749 scope-token characters: printable ASCII except space, '"' and '\'.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** CONSOLE_OIDC_CLIENT_ID: printable, no spaces (it goes into URLs and the page's config). */
export const consoleClientIdSchema = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
  .refine(
    (v) => v === undefined || /^[\x21-\x7E]{1,255}$/.test(v),
    'must be 1 to 255 printable characters without spaces',
  );

/** CONSOLE_OIDC_SCOPES: space-separated scopes; default and minimum `openid`. */
export const consoleScopesSchema = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? ['openid'] : v.trim().split(/\s+/)))
  .refine(
    (list) => list.length <= 20 && list.every((s) => s.length <= 100 && SCOPE_TOKEN.test(s)),
    'must be up to 20 space-separated OAuth scopes',
  )
  .refine((list) => list.includes('openid'), 'must include openid')
  .transform((list) => [...new Set(list)].join(' '));

export function consoleSettingsOf(e: {
  CONSOLE: boolean;
  CONSOLE_OIDC_CLIENT_ID?: string;
  CONSOLE_OIDC_SCOPES: string;
}): ConsoleSettings {
  return {
    enabled: e.CONSOLE,
    ...(e.CONSOLE_OIDC_CLIENT_ID !== undefined && { clientId: e.CONSOLE_OIDC_CLIENT_ID }),
    scopes: e.CONSOLE_OIDC_SCOPES,
  };
}
