import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseCli } from './main';
import { parseSeguraTime } from './segura-responses';
import { generateSessions, seededRng } from './seed';
import { http } from './test-helpers';

describe('generateSessions', () => {
  it('is deterministic and realistic', () => {
    const now = Date.UTC(2024, 4, 6, 12, 0, 0);
    const a = generateSessions(60, seededRng(7), now);
    expect(generateSessions(60, seededRng(7), now)).toEqual(a);
    expect(a.map((s) => s.id)).toEqual(Array.from({ length: 60 }, (_, i) => String(i + 1)));
    expect(new Set(a.map((s) => s.sessionId)).size).toBe(60);
    for (const s of a) {
      expect(s.sessionId).toMatch(/^[0-9a-f]{40}$/);
      expect(s.device).toMatch(/^[\w.-]+:(3389|22|443|5900)$/);
      expect(['rdp', 'ssh', 'https', 'vnc']).toContain(s.protocol);
      expect(s.originIp).toMatch(/^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.)/);
      const start = parseSeguraTime(s.start);
      expect(now - start).toBeGreaterThan(0);
      expect(now - start).toBeLessThanOrEqual(86_400_000);
      if (s.end !== '') {
        expect(parseSeguraTime(s.end)).toBeGreaterThanOrEqual(start);
        expect(parseSeguraTime(s.end)).toBeLessThan(now);
      }
    }
    const ended = a.filter((s) => s.end !== '').length;
    expect(ended).toBeGreaterThan(10);
    expect(ended).toBeLessThan(30);
    expect(new Set(a.map((s) => s.user)).size).toBeGreaterThan(4);
  });
});

describe('simulator CLI', () => {
  it('parses flags into simulator options', () => {
    expect(
      parseCli([
        '--port',
        '0',
        '--prefix',
        '/segura',
        '--lang',
        'pt',
        '--bench',
        '--seed',
        '5',
        '--oauth1',
        '--consumer-key',
        'ck',
        '--unknown-session',
        'drop-failed',
        '--token-ttl',
        '60',
      ]),
    ).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      options: {
        prefix: '/segura',
        language: 'pt',
        benchMode: true,
        seed: 5,
        tokenTtlSeconds: 60,
        unknownSessionAnswer: 'drop-failed',
        oauth1: { consumerKey: 'ck', tokenKey: 'sim-token' },
      },
    });
    expect(parseCli([])).toMatchObject({ port: 8443, options: { oauth1: undefined } });
    expect(() => parseCli(['--lang', 'fr'])).toThrow(/--lang/);
    expect(() => parseCli(['--port', 'x'])).toThrow(/--port/);
    expect(() => parseCli(['--nope'])).toThrow();
  });

  it('runs as a process, prints its URL without a custom secret, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        join(__dirname, 'main.ts'),
        '--port',
        '0',
        '--client-secret',
        'do-not-print',
        '--seed',
        '4',
      ],
      { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      const line = chunk.toString();
      expect(line).toMatch(
        /^PAM Core simulator listening on http:\/\/127\.0\.0\.1:\d+ client_id=sim-client\n$/,
      );
      expect(line).not.toContain('do-not-print');
      const url = /http:\/\/\S+/.exec(line)?.[0] ?? '';
      expect((await http(`${url}/__sim/stats`)).json.sessions).toBe(4);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 15_000);
});
