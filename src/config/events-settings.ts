import { hostname } from 'node:os';
import type { RawEnv } from './config.schema';

/** Audit events to webhooks (README, "Events to webhooks"); absent when the feature is off. */
export interface EventsSettings {
  /** Receiver URLs in the configured order; a receiver's index is its name in logs and metrics. */
  urls: string[];
  /** `whsec_` + base64, as the Standard Webhooks specification writes it. */
  secret: string;
  /** Bound of one delivery attempt. */
  timeoutMs: number;
  /** An event still undelivered this long after it was written is dead. */
  maxAgeMs: number;
  /** The first retry waits this long; each next one twice as long, up to retryMaxMs. */
  retryMinMs: number;
  retryMaxMs: number;
  /** How often each replica looks for events written by others (its own writes wake it). */
  pollMs: number;
  /** `source` of every event: `urn:pam-gateway:<instance>`. */
  instance: string;
}

// Standard Webhooks: the key is 24 to 64 random bytes.
const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** The events part of the configuration; adds a line to `errors` per problem, never a value. */
export function eventsSettingsFrom(e: RawEnv, errors: string[]): EventsSettings | undefined {
  if (e.EVENTS_WEBHOOK_URLS.length === 0) return undefined;
  for (const url of e.EVENTS_WEBHOOK_URLS) {
    if (!isWebhookUrl(url)) {
      errors.push('EVENTS_WEBHOOK_URLS: every entry must be an http(s) URL without user:password');
      break;
    }
  }
  const secret = e.EVENTS_WEBHOOK_SECRET;
  const key = secret === undefined ? null : SECRET.exec(secret);
  const bytes = key ? Buffer.from(key[1], 'base64').length : 0;
  if (secret === undefined) {
    errors.push('EVENTS_WEBHOOK_SECRET: is required when EVENTS_WEBHOOK_URLS is set');
  } else if (bytes < 24 || bytes > 64) {
    errors.push('EVENTS_WEBHOOK_SECRET: must be whsec_ followed by 24 to 64 bytes in base64');
  }
  if (e.EVENTS_RETRY_MIN_MS > e.EVENTS_RETRY_MAX_MS) {
    errors.push('EVENTS_RETRY_MIN_MS: must not exceed EVENTS_RETRY_MAX_MS');
  }
  return {
    urls: e.EVENTS_WEBHOOK_URLS,
    secret: secret ?? '',
    timeoutMs: e.EVENTS_TIMEOUT_MS,
    maxAgeMs: e.EVENTS_MAX_AGE_HOURS * 3600_000,
    retryMinMs: e.EVENTS_RETRY_MIN_MS,
    retryMaxMs: e.EVENTS_RETRY_MAX_MS,
    pollMs: e.EVENTS_POLL_MS,
    instance: e.GATEWAY_INSTANCE ?? (hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'gateway'),
  };
}

function isWebhookUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
  } catch {
    return false;
  }
}
