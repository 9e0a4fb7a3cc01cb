/** Shared by the simulator's specs: real HTTP calls with undici, no mocks. */
import { Agent, request } from 'undici';
import type { PamCoreSimulator, SimSession } from './pam-core-simulator';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, asserted field by field
  json: any;
}

export async function http(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    dispatcher?: Agent;
  } = {},
): Promise<HttpResult> {
  const res = await request(url, {
    method: (opts.method ?? 'GET') as 'GET',
    headers: opts.headers,
    body: opts.body,
    dispatcher: opts.dispatcher,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Gets a token with the body client authentication (the gateway's default). */
export async function fetchToken(
  sim: PamCoreSimulator,
  clientId = 'sim-client',
  clientSecret = 'sim-secret',
): Promise<string> {
  const res = await http(`${sim.url}/iso/oauth2/token`, {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }).toString(),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${res.text}`);
  return res.json.access_token as string;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The server root (without the prefix), where /__sim lives. */
export function rootOf(sim: PamCoreSimulator): string {
  return new URL(sim.url).origin;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const ACTIVE_ID = 'e7acacb6aedbab70073456da5744166939b77527';
export const ENDED_ID = '1dbd4cdcf4b0a1b2c3d4e5f60718293a49554cd6';

/** Segura's documented example session (active) and an ended one. */
export const fixture = (): SimSession[] => [
  {
    id: '3',
    sessionId: ACTIVE_ID,
    user: 'Admin',
    originIp: '172.16.20.125',
    credential: 'usrdomadm01',
    device: '10.66.33.15:3389',
    protocol: 'rdp',
    proxy: 'Web Proxy',
    start: '2024-05-06 16:05:07',
    end: '',
    itsm: null,
  },
  {
    id: '4',
    sessionId: ENDED_ID,
    user: 'j.silva',
    originIp: '10.1.2.3',
    credential: 'root',
    device: 'db-prod-01.corp.local:22',
    protocol: 'ssh',
    proxy: 'SSH Proxy',
    start: '2024-05-06 16:05:07',
    end: '2024-05-06 16:07:59',
    itsm: 'CHG12345',
  },
];

export const tokenBody = (extra: Record<string, string> = {}): string =>
  new URLSearchParams({ grant_type: 'client_credentials', ...extra }).toString();
