import { resolveFiles } from './app-config';
import { envSchema } from './config.schema';

export interface AuditSettings {
  databaseUrl: string;
  hmacKey?: string;
}

export type AuditSettingsResult =
  { ok: true; settings: AuditSettings } | { ok: false; errors: string[] };

const NAMES = ['AUDIT_DATABASE_URL', 'AUDIT_HMAC_KEY'] as const;

// The same field rules as the gateway's full schema, so the verify CLI and the gateway can
// never disagree about what a setting means.
const auditSchema = envSchema.pick({ AUDIT_DATABASE_URL: true, AUDIT_HMAC_KEY: true });

/**
 * Only the audit part of the configuration contract, for tools that must not need the rest
 * (the verify CLI). Same rules as loadConfig: NAME_FILE instead of NAME, one line per problem
 * naming the variable, never a value.
 */
export function loadAuditSettings(env: NodeJS.ProcessEnv): AuditSettingsResult {
  const errors: string[] = [];
  const all = resolveFiles(env, errors, NAMES);
  const resolved = {
    AUDIT_DATABASE_URL: all.AUDIT_DATABASE_URL,
    AUDIT_HMAC_KEY: all.AUDIT_HMAC_KEY,
  };
  const parsed = auditSchema.safeParse(resolved);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push(`${String(issue.path[0] ?? 'environment')}: ${issue.message}`);
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors: [...new Set(errors)] };
  const settings: AuditSettings = { databaseUrl: parsed.data.AUDIT_DATABASE_URL };
  if (parsed.data.AUDIT_HMAC_KEY !== undefined) settings.hmacKey = parsed.data.AUDIT_HMAC_KEY;
  return { ok: true, settings };
}
