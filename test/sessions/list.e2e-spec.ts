import { startIssuer, type IssuerHandle } from '../support/oidc-issuer';
import { type GatewayHarness, startGateway } from '../support/gateway';
import {
  auditRecords,
  CHANNELS,
  FIXTURE,
  fixtureSeed,
  getSession,
  listSessions,
  namesOf,
} from './support/sessions-client';

/**
 * Finding sessions: every filter, pagination and single lookups, through both channels, against
 * a simulator answering English keys and one answering the older Portuguese keys.
 */
let issuer: IssuerHandle;
const gateways: Record<'en' | 'pt', GatewayHarness> = {} as never;

beforeAll(async () => {
  issuer = await startIssuer();
  for (const language of ['en', 'pt'] as const) {
    gateways[language] = await startGateway({
      issuer,
      simulator: { language, seed: fixtureSeed() },
    });
  }
});
afterAll(async () => {
  for (const gw of Object.values(gateways)) await gw?.close();
  await issuer?.stop();
});

const FILTERS: Array<[string, Record<string, unknown>, string[]]> = [
  ['no filter: everything, newest first', {}, ['E', 'C', 'B', 'A', 'D', 'F']],
  ['active', { active: true }, ['E', 'C', 'B', 'A']],
  ['ended', { active: false }, ['D', 'F']],
  ['user, ignoring case', { user: 'admin-x' }, ['B', 'A', 'F']],
  ['user with ?', { user: 'admin-?' }, ['E', 'C', 'B', 'A', 'D', 'F']],
  ['device host:port glob', { device: 'dc*' }, ['E', 'C', 'A']],
  ['device by host alone', { device: 'dc01.corp.local' }, ['E', 'A']],
  ['device by port', { device: '*:3389' }, ['C', 'A', 'F']],
  ['protocol', { protocol: 'RDP' }, ['C', 'A', 'F']],
  ['origin IP', { originIp: '10.2.*' }, ['C', 'D']],
  ['credential', { credential: 'svc-?' }, ['E']],
  ['started after (inclusive)', { startedAfter: '2024-05-07T09:30:00' }, ['E', 'C']],
  ['started before (exclusive)', { startedBefore: '2024-05-06T17:00' }, ['A', 'D', 'F']],
  [
    'a window and a user together',
    { startedAfter: '2024-05-06', startedBefore: '2024-05-07', user: 'admin-*' },
    ['B', 'A'],
  ],
  ['user and protocol together', { user: 'admin-x', protocol: 'ssh' }, ['B']],
  ['nothing matching', { user: 'nobody' }, []],
];

describe.each(['en', 'pt'] as const)('Segura answering %s keys', (language) => {
  describe.each(CHANNELS)('over %s', (channel) => {
    it.each(FILTERS)('filters: %s', async (_name, filter, expected) => {
      const gw = gateways[language];
      const out = await listSessions(gw, channel, { filter }, gw.tokens.viewer);
      expect(out.status).toBe(200);
      expect(namesOf(out.data.sessions)).toEqual(expected);
      expect(out.data).toMatchObject({ totalCount: expected.length, stale: false });
    });

    it('normalises each session', async () => {
      const gw = gateways[language];
      const out = await listSessions(
        gw,
        channel,
        { filter: { credential: 'svc-1' } },
        gw.tokens.viewer,
      );
      expect(out.data.sessions).toEqual([
        {
          sessionId: FIXTURE.E.sessionId,
          recordId: '5',
          user: 'admin-z',
          originIp: '10.3.0.1',
          credential: 'svc-1',
          device: 'dc01.corp.local:22',
          deviceHost: 'dc01.corp.local',
          devicePort: 22,
          protocol: 'ssh',
          proxy: 'SSH Proxy',
          start: '2024-05-07T10:00:00',
          end: null,
          durationSeconds: expect.any(Number),
          active: true,
          itsm: 'CHG-42',
        },
      ]);
      const ended = await getSession(gw, channel, FIXTURE.F.sessionId!, gw.tokens.viewer);
      expect(ended.data).toMatchObject({
        end: '2024-05-04T12:02:52',
        durationSeconds: 172,
        active: false,
        deviceHost: '10.66.33.15',
        devicePort: 3389,
      });
    });
  });
});

describe.each(CHANNELS)('listing over %s', (channel) => {
  const gw = () => gateways.en;
  const names =
    channel === 'rest' ? { first: 'limit', after: 'cursor' } : { first: 'first', after: 'after' };

  it('pages with a cursor until nextCursor is null', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 5; i++) {
      const out = await listSessions(gw(), channel, { first: 4, after }, gw().tokens.viewer);
      expect(out.status).toBe(200);
      expect(out.data.totalCount).toBe(6);
      seen.push(...namesOf(out.data.sessions));
      after = out.data.nextCursor ?? undefined;
      if (!after) break;
    }
    expect(seen).toEqual(['E', 'C', 'B', 'A', 'D', 'F']);
  });

  it.each([
    ['a page size of 0', { first: 0 }, 'first'],
    ['a page size of 501', { first: 501 }, 'first'],
    ['a made-up cursor', { after: 'not-a-cursor' }, 'after'],
    ['a zoned time', { filter: { startedAfter: '2024-05-06T10:00:00Z' } }, 'startedAfter'],
    ['an empty pattern', { filter: { user: '' } }, 'user'],
  ] as const)('refuses %s with BAD_USER_INPUT naming the field', async (_n, args, field) => {
    const out = await listSessions(gw(), channel, args, gw().tokens.viewer);
    expect(out).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(out.field).toBe((names as Record<string, string>)[field] ?? field);
  });

  it('lets viewers and operators read, and nobody else', async () => {
    const g = gw();
    expect((await listSessions(g, channel, {}, g.tokens.operator)).status).toBe(200);
    expect((await listSessions(g, channel, {}, g.tokens.auditor)).code).toBe('FORBIDDEN');
    expect((await listSessions(g, channel, {}, g.tokens.noRoles)).code).toBe('FORBIDDEN');
  });

  it('gets one session, or SESSION_NOT_FOUND, or BAD_USER_INPUT for a malformed id', async () => {
    const g = gw();
    const one = await getSession(g, channel, FIXTURE.A.sessionId!, g.tokens.viewer);
    expect(one.data).toMatchObject({
      sessionId: FIXTURE.A.sessionId,
      user: 'admin-x',
      active: true,
    });
    const missing = await getSession(g, channel, 'ab'.repeat(20), g.tokens.viewer);
    expect(missing).toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND' });
    const bad = await getSession(g, channel, 'a!b', g.tokens.viewer);
    expect(bad).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', field: 'id' });
    expect((await getSession(g, channel, FIXTURE.A.sessionId!, g.tokens.auditor)).code).toBe(
      'FORBIDDEN',
    );
  });

  it('records every read, with its filter and what it returned', async () => {
    const g = gw();
    const out = await listSessions(g, channel, { filter: { protocol: 'ssh' } }, g.tokens.viewer);
    const [record] = await auditRecords(g, { action: 'session.read', actor: 'bob', limit: '1' });
    expect(record).toMatchObject({
      requestId: expect.any(String),
      channel,
      decision: 'allowed',
      outcome: 'succeeded',
      details: expect.objectContaining({
        filter: { protocol: 'ssh' },
        count: out.data.sessions.length,
        totalCount: 2,
        stale: false,
      }),
    });
  });
});
