/**
 * Secret-key redaction for log objects: the second line of defence behind the serializers, which
 * already log no headers and no bodies.
 *
 * Replaces pino's `redact` option. pino 10's redactor (@pinojs/redact 0.4) re-parses every path
 * and walks every wildcard on every line: with our paths it was a fifth of all the memory the
 * gateway allocated per termination (sampling heap profile, docs/performance.md). This walk
 * allocates nothing when there is nothing to hide (almost always) and copies only then: the
 * caller's objects are never changed.
 */

/** Keys whose values never reach a log line, compared case-insensitively, at any depth. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'cookie',
  'set-cookie',
  'accesstoken',
  'access_token',
  'refreshtoken',
  'refresh_token',
  'id_token',
  'clientsecret',
  'client_secret',
  'token',
  'password',
  'secret',
  'apikey',
  'signature',
  'oauth_signature',
]);

export const REDACTED = '[redacted]';

/** Deeper than anything the gateway logs; also what stops a cycle. */
const MAX_DEPTH = 8;

const isSecretKey = (key: string): boolean => SECRET_KEYS.has(key.toLowerCase());

/** Plain objects, arrays and errors are walked; class instances such as Buffers are not. */
function walkable(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value) || value instanceof Error) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const hasOwn = (obj: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(obj, key);

/** An error's own enumerable fields plus its cause, which pino's serializer also prints. */
function keysOf(value: Record<string, unknown>): string[] {
  const keys = Object.keys(value);
  if (value instanceof Error && 'cause' in value && !keys.includes('cause')) keys.push('cause');
  return keys;
}

/** The hot path (every log line): for-in, so nothing is allocated. */
function hasSecret(value: Record<string, unknown>, depth: number): boolean {
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      if (walkable(item) && hasSecret(item, depth + 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    if (!hasOwn(value, key)) continue;
    if (isSecretKey(key)) return true;
    const child = value[key];
    if (walkable(child) && hasSecret(child, depth + 1)) return true;
  }
  if (value instanceof Error && 'cause' in value) {
    const cause: unknown = value.cause;
    if (walkable(cause) && hasSecret(cause, depth + 1)) return true;
  }
  return false;
}

function copyRedacted(value: Record<string, unknown>, depth: number): unknown {
  if (depth >= MAX_DEPTH || !hasSecret(value, depth)) return value;
  if (Array.isArray(value)) {
    return (value as unknown[]).map((item) =>
      walkable(item) ? copyRedacted(item, depth + 1) : item,
    );
  }
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    // pino's error serializer reads these; they are not enumerable on an Error.
    out.type = value.constructor.name;
    out.name = value.name;
    out.message = value.message;
    out.stack = value.stack;
  }
  for (const key of keysOf(value)) {
    const child = value[key];
    out[key] = isSecretKey(key)
      ? REDACTED
      : walkable(child)
        ? copyRedacted(child, depth + 1)
        : child;
  }
  return out;
}

/**
 * `obj` itself when no secret key appears in it, else a copy with every such value replaced by
 * `[redacted]`. Errors in a copy become plain objects with their message and stack.
 */
export function redactSecrets<T extends object>(obj: T): T {
  return copyRedacted(obj as Record<string, unknown>, 0) as T;
}
