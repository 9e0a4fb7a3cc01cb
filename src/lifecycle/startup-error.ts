import type { AppConfig } from '../config';

/**
 * One line for a failed start: the error's message and its causes' ("The audit store cannot be
 * opened: connect ECONNREFUSED 127.0.0.1:5432"), with every secret of the configuration blanked
 * in case a driver echoed one (a database URL with its password, say).
 */
export function describeStartupError(err: unknown, config: AppConfig): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const message =
      current instanceof Error
        ? current.message
        : typeof current === 'string'
          ? current
          : 'a non-error value was thrown';
    if (message && !parts.includes(message)) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  let line = parts.join(': ').replace(/\s+/g, ' ').trim() || 'unknown error';
  for (const secret of secretsOf(config)) line = line.split(secret).join('[redacted]');
  return line;
}

function secretsOf(config: AppConfig): string[] {
  const values = [
    config.pamCore.oauth2?.clientSecret,
    config.pamCore.oauth1?.consumerSecret,
    config.pamCore.oauth1?.tokenSecret,
    config.audit.hmacKey,
    config.audit.databaseUrl,
    passwordOf(config.audit.databaseUrl),
    config.redisUrl,
    passwordOf(config.redisUrl),
  ];
  // Longest first, so a URL is blanked whole before its password would be.
  return values
    .filter((v): v is string => typeof v === 'string' && v.length >= 4)
    .sort((a, b) => b.length - a.length);
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}
