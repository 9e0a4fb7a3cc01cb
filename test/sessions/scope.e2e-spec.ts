import { startIssuer, type IssuerHandle } from '../support/oidc-issuer';
import { type GatewayHarness, startGateway } from '../support/gateway';
import {
  auditRecords,
  CHANNELS,
  drops,
  FIXTURE,
  fixtureSeed,
  getSession,
  listSessions,
  namesOf,
  terminateMany,
  terminateOne,
  tokenFor,
} from './support/sessions-client';

/**
 * Policy rules scoped by session attributes: a team ends (and sees) only the sessions it owns.
 */
const POLICY = `roles:
  session-operator: [session:terminate, session:read]
  session-viewer: [session:read]
  auditor: [audit:read]
  dc-team:
    - permission: session:terminate
      where: { protocol: [rdp], device: "dc*.corp.local:*" }
    - permission: session:read
      where: { device: "dc*.corp.local" }
  self-service:
    - permission: session:terminate
      where: { user: "\${principal.name}" }
    - permission: session:read
      where: { user: "\${principal.name}" }
`;

let issuer: IssuerHandle;
let readers: GatewayHarness; // fixture sessions only: nothing is ended here
let enders: GatewayHarness;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  issuer = await startIssuer();
  readers = await startGateway({ issuer, policy: POLICY, simulator: { seed: fixtureSeed() } });
  enders = await startGateway({ issuer, policy: POLICY });
  tokens.dc = await tokenFor(readers, 'erin', ['dc-team']);
  tokens.self = await tokenFor(readers, 'admin-x', ['self-service']);
});
afterAll(async () => {
  await readers?.close();
  await enders?.close();
  await issuer?.stop();
});
beforeEach(() => enders.simulator.resetRequests());

describe.each(CHANNELS)('scoped terminations over %s', (channel) => {
  it('let the DC team end an RDP session to a domain controller', async () => {
    const s = enders.simulator.addSession({ protocol: 'rdp', device: 'DC07.corp.local:3389' });
    const out = await terminateOne(enders, channel, s.sessionId, { token: tokens.dc });
    expect(out.data).toMatchObject({ sessionId: s.sessionId, terminated: true });
    expect(drops(enders)).toEqual([s.sessionId]);
  });

  it('refuse the DC team an SSH session to a domain controller, recording the denial', async () => {
    const s = enders.simulator.addSession({ protocol: 'ssh', device: 'dc07.corp.local:22' });
    const out = await terminateOne(enders, channel, s.sessionId, {
      token: tokens.dc,
      reason: 'not ours',
    });
    expect(out).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(drops(enders)).toEqual([]);
    const [record] = await auditRecords(enders, { sessionId: s.sessionId });
    expect(record).toMatchObject({
      action: 'session.terminate',
      decision: 'denied',
      errorCode: 'FORBIDDEN',
      reason: 'not ours',
      actor: { name: 'erin' },
      details: { scope: 'out-of-scope' },
    });
  });

  it('answer SESSION_NOT_FOUND for a session Segura does not know, without a drop', async () => {
    const out = await terminateOne(enders, channel, '0f'.repeat(20), { token: tokens.dc });
    expect(out).toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND' });
    expect(drops(enders)).toEqual([]);
  });

  // Changed on purpose (issue 13): ${principal.name} matches with exact case, so `admin-x` no
  // longer reaches `ADMIN-X`'s sessions.
  it('let a user end only their own sessions (${principal.name}, exact case)', async () => {
    const mine = enders.simulator.addSession({ user: 'admin-x' });
    const theirs = enders.simulator.addSession({ user: 'admin-y' });
    const upper = enders.simulator.addSession({ user: 'ADMIN-X' });
    const ok = await terminateOne(enders, channel, mine.sessionId, { token: tokens.self });
    expect(ok.data?.terminated).toBe(true);
    for (const other of [theirs, upper]) {
      const denied = await terminateOne(enders, channel, other.sessionId, { token: tokens.self });
      expect(denied.code).toBe('FORBIDDEN');
    }
    expect(drops(enders)).toEqual([mine.sessionId]);
  });
});

describe.each(CHANNELS)('scoped reads over %s', (channel) => {
  it('list only what the caller may see, counted as such', async () => {
    const dc = await listSessions(readers, channel, {}, tokens.dc);
    expect(namesOf(dc.data.sessions)).toEqual(['E', 'C', 'A']);
    expect(dc.data.totalCount).toBe(3);
    const self = await listSessions(readers, channel, { filter: { active: true } }, tokens.self);
    expect(namesOf(self.data.sessions)).toEqual(['B', 'A']);
  });

  it('refuse a single out-of-scope session and give an in-scope one', async () => {
    expect(
      (await getSession(readers, channel, FIXTURE.C.sessionId!, tokens.dc)).data,
    ).toMatchObject({ sessionId: FIXTURE.C.sessionId });
    const out = await getSession(readers, channel, FIXTURE.B.sessionId!, tokens.dc);
    expect(out).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('restrict a bulk request to the sessions the caller may end', async () => {
    const dry = await terminateMany(
      readers,
      channel,
      { filter: { all: true }, dryRun: true },
      tokens.dc,
    );
    expect(namesOf(dry.data.results)).toEqual(['C', 'A']);
    const mine = await terminateMany(
      readers,
      channel,
      { filter: { device: '*' }, dryRun: true },
      tokens.self,
    );
    expect(namesOf(mine.data.results)).toEqual(['B', 'A']);
  });
});
