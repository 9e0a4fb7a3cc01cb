import type { RemoteSession } from '../pam-core';
import { UNRESTRICTED } from '../rbac/session-scope';
import { caseless, filteredPage, matchKeysOf } from './session-match';
import { compareSessions, compileFilter, pageOf, type SessionFilter } from './session-query';

const base: RemoteSession = {
  sessionId: 's0',
  recordId: '1',
  user: null,
  originIp: null,
  credential: null,
  device: null,
  deviceHost: null,
  devicePort: null,
  protocol: null,
  proxy: null,
  start: null,
  end: null,
  durationSeconds: null,
  active: true,
  itsm: null,
};

// Case classes beyond ASCII (Kelvin sign, long s, dotted I, sharp s), astral and lone surrogates.
const VALUES = [
  'Admin',
  'admin.x',
  'ADMIN',
  '\u212Aelvin',
  'kelvin',
  '\u017Fsh',
  'SSH',
  'ssh',
  '\u0130stanbul',
  'istanbul',
  'stra\u00DFe',
  'STRASSE',
  '10.1.2.3:22',
  '10.1.2.3',
  'x\u{1F600}y',
  'x\uD83Dy',
  'db-prod-01.corp.local:22',
  '',
];
const PATTERNS = [
  'admin*',
  'ADMIN*',
  '*elvin',
  'K*',
  '*SH',
  'ssh',
  '*',
  '?',
  '10.*',
  '*.corp.*',
  'x?y',
  'x\uD83D*',
  '*\u00DF*',
  'ad?in*',
  '*a*n*',
  '',
];

const sessions: RemoteSession[] = VALUES.flatMap((v, i) => [
  { ...base, sessionId: `u${i}`, user: v || null, protocol: v || null, active: i % 2 === 0 },
  { ...base, sessionId: `d${i}`, device: v || null, deviceHost: v.split(':')[0] || null },
]);

describe('filteredPage (precomputed caseless fields)', () => {
  const everything = { first: sessions.length, after: null };

  it('matches exactly what compileFilter matches, for every pattern shape', async () => {
    const keys = await matchKeysOf(sessions);
    const filters: SessionFilter[] = PATTERNS.flatMap((p) => [
      { user: p },
      { device: p },
      { protocol: p, active: true },
    ]);
    for (const f of filters) {
      const want = sessions.filter(compileFilter(f)).map((s) => s.sessionId);
      const page = filteredPage(sessions, keys, f, UNRESTRICTED, everything);
      const got = page.nodes.map((s) => s.sessionId);
      expect(page.totalCount).toBe(want.length);
      expect({ f, got }).toEqual({ f, got: want });
    }
  });

  it('pages exactly as pageOf over compileFilter, from every cursor, for every page size', async () => {
    const starts = [null, '2026-12-01T10:00:00', '2026-12-01T09:00:00'];
    const sorted = sessions.map((s, i) => ({ ...s, start: starts[i % 3] })).sort(compareSessions);
    const keys = await matchKeysOf(sorted);
    const filters: SessionFilter[] = [
      {},
      { active: true },
      { active: false, user: '*' },
      { device: '10.*' },
    ];
    // Every session as a cursor, and one before and one past them all.
    const cursors = [
      null,
      ...sorted,
      { start: '2099-01-01T00:00:00', sessionId: '' },
      { start: null, sessionId: '~' },
    ];
    for (const f of filters) {
      const visible = sorted.filter(compileFilter(f));
      for (const after of cursors) {
        for (const first of [1, 2, 5, 500]) {
          const req = { first, after: after && { start: after.start, sessionId: after.sessionId } };
          const want = { ...pageOf(visible, req), totalCount: visible.length };
          expect({ f, req, got: filteredPage(sorted, keys, f, UNRESTRICTED, req) }).toEqual({
            f,
            req,
            got: want,
          });
        }
      }
    }
  });

  it('keeps a value already caseless as the same string', () => {
    const v = 'admin.x';
    expect(caseless(v)).toBe(v);
    expect(caseless('Admin')).toBe('admin');
  });
});
