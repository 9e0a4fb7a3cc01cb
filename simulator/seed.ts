/**
 * Realistic, deterministic seed data: the same rng seed gives the same sessions, so tests are
 * stable; only the times move with the clock (starts within the last day).
 */
import { formatSeguraTime } from './segura-responses';
import type { SimSession } from './types';

/** mulberry32: tiny, fast, good enough for test data (not for secrets). */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEFAULT_SEED = 0x5e6a2a;

const USERS = [
  'admin-x',
  'Admin',
  'j.silva',
  'm.santos',
  'a.oliveira',
  'svc-backup',
  'svc-monitoring',
  'r.costa',
  'dba-ops',
  'l.pereira',
];
const CREDENTIALS = [
  'usrdomadm01',
  'root',
  'Administrator',
  'oracle',
  'postgres',
  'svc_deploy',
  'ec2-user',
];

interface Target {
  host: string;
  port: number;
  protocol: string;
  proxy: string;
}
const TARGETS: Target[] = [
  { host: 'dc01.corp.local', port: 3389, protocol: 'rdp', proxy: 'RDP Proxy' },
  { host: 'dc02.corp.local', port: 3389, protocol: 'rdp', proxy: 'Web Proxy' },
  { host: '10.66.33.15', port: 3389, protocol: 'rdp', proxy: 'Web Proxy' },
  { host: 'db-prod-01.corp.local', port: 22, protocol: 'ssh', proxy: 'SSH Proxy' },
  { host: '10.20.1.40', port: 22, protocol: 'ssh', proxy: 'SSH Proxy' },
  { host: 'bastion.dmz.local', port: 22, protocol: 'ssh', proxy: 'Web Proxy' },
  { host: 'fw-edge-01.corp.local', port: 443, protocol: 'https', proxy: 'Web Proxy' },
  { host: '192.168.10.5', port: 443, protocol: 'https', proxy: 'Web Proxy' },
  { host: 'kiosk-07.corp.local', port: 5900, protocol: 'vnc', proxy: 'Web Proxy' },
  { host: '172.16.40.21', port: 5900, protocol: 'vnc', proxy: 'Web Proxy' },
];

function pick<T>(items: readonly T[], rng: () => number): T {
  return items[Math.floor(rng() * items.length) % items.length];
}

function int(rng: () => number, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Documentation-style private addresses (data only; nothing connects to them). */
function privateIp(rng: () => number): string {
  switch (int(rng, 0, 2)) {
    case 0:
      return `10.${int(rng, 0, 255)}.${int(rng, 0, 255)}.${int(rng, 1, 254)}`;
    case 1:
      return `172.${int(rng, 16, 31)}.${int(rng, 0, 255)}.${int(rng, 1, 254)}`;
    default:
      return `192.168.${int(rng, 0, 255)}.${int(rng, 1, 254)}`;
  }
}

export function hexId(rng: () => number, length = 40): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(rng() * 16).toString(16);
  return out;
}

/**
 * `n` sessions with record ids "1".."n", 40-hex session ids, starts within the last day and
 * about one third ended. `nowMs` is only there to pin times in tests.
 */
export function generateSessions(
  n: number,
  rng: () => number = seededRng(DEFAULT_SEED),
  nowMs: number = Date.now(),
): SimSession[] {
  const sessions: SimSession[] = [];
  for (let i = 1; i <= n; i++) {
    const target = pick(TARGETS, rng);
    // Starts spread over the last 24 h (at least a minute ago).
    const startMs = nowMs - int(rng, 60, 86_400) * 1000;
    const ended = rng() < 1 / 3;
    // Ended sessions lasted 1 min .. 2 h, but never end in the future.
    const endMs = Math.min(nowMs - 1000, startMs + int(rng, 60, 7200) * 1000);
    sessions.push({
      id: String(i),
      sessionId: hexId(rng),
      user: pick(USERS, rng),
      originIp: privateIp(rng),
      credential: pick(CREDENTIALS, rng),
      device: `${target.host}:${target.port}`,
      protocol: target.protocol,
      proxy: target.proxy,
      start: formatSeguraTime(startMs),
      end: ended ? formatSeguraTime(Math.max(endMs, startMs)) : '',
      itsm: rng() < 0.2 ? `CHG${String(int(rng, 10000, 99999))}` : null,
    });
  }
  return sessions;
}
