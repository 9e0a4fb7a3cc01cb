import { randomBytes } from 'node:crypto';
import { AUDIENCE, type GatewayHarness, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { type Channel, CHANNELS, terminate } from '../support/termination';
import { auditRecords, drops, listSessions } from '../sessions/support/sessions-client';

/**
 * `${principal.name}` is bound to one stable claim (AUTH_USERNAME_CLAIM, preferred_username by
 * default), never to the display claims a user can often edit in the IdP (`name`, `email`), and
 * a pattern holding it matches with exact case. Other patterns ignore case unless their rule
 * says `caseSensitive: true`.
 */
const POLICY = `roles:
  auditor: [audit:read]
  self-service:
    - permission: session:terminate
      where: { user: "\${principal.name}" }
    - permission: session:read
      where: { user: "\${principal.name}" }
  ops-loose:
    - permission: session:terminate
      where: { user: "Ops-*" }
`;

// Its own gateway: a policy with the key is refused as a whole by a gateway that lacks it.
const CASE_POLICY = `${POLICY}  ops-exact:
    - permission: session:terminate
      where: { user: "Ops-*" }
      caseSensitive: true
`;

let issuer: IssuerHandle;
let gw: GatewayHarness;
let exactGw: GatewayHarness | undefined;
beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startGateway({ issuer, policy: POLICY });
});
afterAll(async () => {
  await exactGw?.close();
  await gw?.close();
  await issuer?.stop();
});
beforeEach(() => {
  gw.simulator.resetRequests();
  exactGw?.simulator.resetRequests();
});

const sub = () => `u-${randomBytes(4).toString('hex')}`;
const token = (claims: Record<string, unknown>, roles = ['self-service']) =>
  issuer.token({ payload: { aud: AUDIENCE, sub: sub(), roles, ...claims } });

describe.each(CHANNELS)('%s', (channel: Channel) => {
  it.each(['name', 'email'])(
    'a token without preferred_username whose %s is another user matches no ${principal.name} rule',
    async (claim) => {
      const victim = `victim-${randomBytes(3).toString('hex')}`;
      const s = gw.simulator.addSession({ user: victim });
      const t = await token({ [claim]: victim });
      const out = await terminate(gw.url, channel, s.sessionId, { token: t, reason: 'mine' });
      expect({ status: out.status, code: out.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      expect(drops(gw)).toEqual([]);
      const seen = await listSessions(gw, channel, { first: 100 }, t);
      expect(seen.status).toBe(200);
      expect(seen.data.sessions).toEqual([]);
    },
  );

  it('preferred_username "admin" does not reach Admin\'s sessions through ${principal.name}', async () => {
    const theirs = gw.simulator.addSession({ user: 'Admin' });
    const mine = gw.simulator.addSession({ user: 'admin' });
    const t = await token({ preferred_username: 'admin' });
    const denied = await terminate(gw.url, channel, theirs.sessionId, { token: t, reason: 'x' });
    expect({ status: denied.status, code: denied.code }).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    const ok = await terminate(gw.url, channel, mine.sessionId, { token: t, reason: 'x' });
    expect(ok.status).toBe(200);
    expect(drops(gw)).toEqual([mine.sessionId]);
  });

  it('caseSensitive: true makes a literal pattern match exact case; without it case is ignored', async () => {
    exactGw ??= await startGateway({ issuer, policy: CASE_POLICY });
    const g = exactGw;
    const exact = await token({ preferred_username: 'ops-1' }, ['ops-exact']);
    const loose = await token({ preferred_username: 'ops-2' }, ['ops-loose']);
    const lower = g.simulator.addSession({ user: 'ops-db' });
    const denied = await terminate(g.url, channel, lower.sessionId, { token: exact, reason: 'x' });
    expect({ status: denied.status, code: denied.code }).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    const upper = g.simulator.addSession({ user: 'Ops-db' });
    expect(
      (await terminate(g.url, channel, upper.sessionId, { token: exact, reason: 'x' })).status,
    ).toBe(200);
    // The same pattern in a rule without the key keeps today's case-insensitive matching.
    expect(
      (await terminate(g.url, channel, lower.sessionId, { token: loose, reason: 'x' })).status,
    ).toBe(200);
    expect(drops(g).sort()).toEqual([upper.sessionId, lower.sessionId].sort());
  });
});

it('the audit record carries actor.username (the bound value) beside the display name', async () => {
  const named = await token({ preferred_username: 'jsilva', name: 'J. Silva' });
  const s = gw.simulator.addSession({ user: 'jsilva' });
  expect((await terminate(gw.url, 'rest', s.sessionId, { token: named, reason: 'x' })).status).toBe(
    200,
  );
  const unnamed = await token({ name: 'Display Only' });
  const t = gw.simulator.addSession({ user: 'Display Only' });
  expect(
    (await terminate(gw.url, 'rest', t.sessionId, { token: unnamed, reason: 'x' })).status,
  ).toBe(403);
  const [ok] = await auditRecords(gw, { sessionId: s.sessionId });
  expect(ok.actor).toMatchObject({ name: 'jsilva', username: 'jsilva' });
  const [denied] = await auditRecords(gw, { sessionId: t.sessionId });
  // The display fallback stays for people reading the log; nothing was bound.
  expect(denied.actor.name).toBe('Display Only');
  expect(denied.actor.username ?? null).toBeNull();

  const gql = await gw.graphql(
    'query($f: AuditEventFilter) { auditEvents(filter: $f) { nodes { actor { name username } } } }',
    { f: { sessionId: s.sessionId } },
    gw.tokens.auditor,
  );
  expect(gql.json?.data?.auditEvents?.nodes?.[0]?.actor).toEqual({
    name: 'jsilva',
    username: 'jsilva',
  });
});
