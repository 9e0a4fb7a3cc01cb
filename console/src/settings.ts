/** What the gateway serves at /console/config.json (its own configuration). */
export interface ConsoleConfig {
  issuer: string;
  clientId: string;
  scopes: string;
}

export const BASE = '/console';

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch(`${BASE}/config.json`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json answered ${res.status}`);
  const c = (await res.json()) as Partial<ConsoleConfig>;
  if (typeof c.issuer !== 'string' || typeof c.clientId !== 'string' || !c.clientId)
    throw new Error('config.json lacks issuer or clientId');
  return { issuer: c.issuer, clientId: c.clientId, scopes: c.scopes ?? 'openid' };
}

/** A random key (idempotency): crypto.getRandomValues works on any origin. */
export function randomKey(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
