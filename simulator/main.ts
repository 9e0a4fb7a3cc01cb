/**
 * CLI: `npm run simulator -- --port 8443 [--prefix /segura] [--lang pt] [--bench] …`.
 * Prints one line with the base URL and the client id; stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_CLIENT_SECRET,
  PamCoreSimulator,
  type SimulatorOptions,
} from './pam-core-simulator';

const USAGE = `Usage: npm run simulator -- [options]
  --port N                 listen port (default 8443, 0 = any free port)
  --host H                 listen address (default 127.0.0.1)
  --client-id ID           OAuth2 client id (default sim-client)
  --client-secret S        OAuth2 client secret (default sim-secret)
  --token-ttl SECONDS      access token lifetime (default 3600)
  --token-path PATH        token endpoint path (default /iso/oauth2/token)
  --tenant T               require tenant=T on token requests
  --prefix PATH            base path prefix, e.g. /segura (default none)
  --seed N                 number of generated sessions (default 25)
  --lang en|pt             list keys and messages language (default en)
  --bench                  benchmark mode: unknown ids drop fine, nothing recorded
  --list-latency-ms N      extra latency on the list endpoint
  --unknown-session not-found|drop-failed   answer for dropping an unknown id
  --oauth1                 also accept OAuth 1.0a, with:
    --consumer-key K --consumer-secret S --token-key K --token-secret S
  --help

Faults are queued at run time: POST /__sim/faults {"fault": F, "match"?: {"method"?, "path"?:
token|drop|list|get|any}, "times"?: N|"Infinity"}, where F is one of
  {"kind":"preset","preset":"not-found"|"unexpected"|"not-authorized"|"drop-failed"|
    "client-auth"|"invalid-signature"|"no-route"|"timeout-message"|
    "legacy-short-envelope-error"|"oauth-invalid-client"}
  {"kind":"rate-limited","retryAfter"?:"5"|"<HTTP-date>"|null,"body"?:"segura"|"empty"}
    Segura's API v2 429: Retry-After as given (default 5; null: none), X-RateLimit-* headers
  {"kind":"status","status":N,"body":"…"} {"kind":"html"|"empty"|"truncated","status":N}
  {"kind":"latency","ms":N} {"kind":"reset"} {"kind":"hang"} (POST /__sim/release answers)
DELETE /__sim/faults clears them; GET /__sim/requests and /__sim/stats show what came in.`;

const OPTIONS = {
  port: { type: 'string', default: '8443' },
  host: { type: 'string', default: '127.0.0.1' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'token-ttl': { type: 'string' },
  'token-path': { type: 'string' },
  tenant: { type: 'string' },
  prefix: { type: 'string' },
  seed: { type: 'string' },
  lang: { type: 'string' },
  bench: { type: 'boolean', default: false },
  'list-latency-ms': { type: 'string' },
  'unknown-session': { type: 'string' },
  oauth1: { type: 'boolean', default: false },
  'consumer-key': { type: 'string', default: 'sim-consumer' },
  'consumer-secret': { type: 'string', default: 'sim-consumer-secret' },
  'token-key': { type: 'string', default: 'sim-token' },
  'token-secret': { type: 'string', default: 'sim-token-secret' },
  help: { type: 'boolean', default: false },
} as const;

function int(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function parseCli(
  argv: string[],
): { port: number; host: string; options: SimulatorOptions } | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const options: SimulatorOptions = {
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
    tokenTtlSeconds: int('token-ttl', values['token-ttl'], 1),
    tokenPath: values['token-path'],
    requireTenant: values.tenant,
    prefix: values.prefix,
    seed: int('seed', values.seed, 0),
    language: oneOf('lang', values.lang, ['en', 'pt'] as const),
    benchMode: values.bench,
    listLatencyMs: int('list-latency-ms', values['list-latency-ms'], 0),
    unknownSessionAnswer: oneOf('unknown-session', values['unknown-session'], [
      'not-found',
      'drop-failed',
    ] as const),
    oauth1: values.oauth1
      ? {
          consumerKey: values['consumer-key'],
          consumerSecret: values['consumer-secret'],
          tokenKey: values['token-key'],
          tokenSecret: values['token-secret'],
        }
      : undefined,
  };
  return { port: int('port', values.port, 0) ?? 8443, host: values.host, options };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  const sim = new PamCoreSimulator(parsed.options);
  const url = await sim.start(parsed.port, parsed.host);
  const clientId = parsed.options.clientId ?? 'sim-client';
  // Only the well-known demo secret is ever printed; a secret given on the command line is not.
  const secret =
    parsed.options.clientSecret === undefined ? ` client_secret=${DEFAULT_CLIENT_SECRET}` : '';
  const oauth1 = parsed.options.oauth1
    ? ` oauth1_consumer_key=${parsed.options.oauth1.consumerKey}`
    : '';
  const mode = parsed.options.benchMode ? ' (bench mode)' : '';
  console.log(
    `PAM Core simulator listening on ${url} client_id=${clientId}${secret}${oauth1}${mode}`,
  );

  const shutdown = (): void => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
