import { startIssuer, type IssuerHandle } from '../support/oidc-issuer';
import { type GatewayHarness, startGateway } from '../support/gateway';
import {
  auditRecords,
  CHANNELS,
  drops,
  fixtureSeed,
  namesOf,
  terminateMany,
  terminateOne,
  tokenFor,
} from './support/sessions-client';

/** Acting on many: dry run versus real run, the per-request maximum, per-session records. */
const POLICY = `roles:
  session-operator: [session:terminate, session:read]
  session-viewer: [session:read]
  auditor: [audit:read]
  incident-commander: [session:terminate, session:terminate:bulk]
options:
  bulkMax: 3
`;

let issuer: IssuerHandle;
let gw: GatewayHarness;
let commander: string;

beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startGateway({ issuer, policy: POLICY, env: { BULK_CONCURRENCY: '2' } });
  commander = await tokenFor(gw, 'frank', ['incident-commander']);
});
afterAll(async () => {
  await gw?.close();
  await issuer?.stop();
});
beforeEach(() => {
  gw.simulator.clearFaults();
  gw.simulator.release();
  gw.simulator.seedSessions(fixtureSeed());
  gw.simulator.resetRequests();
});

describe.each(CHANNELS)('over %s', (channel) => {
  const op = () => gw.tokens.operator;

  it('ends exactly the sessions the dry run listed, each with its own audit record', async () => {
    const args = { filter: { user: 'admin-x' }, reason: 'INC-7: end everything admin-x has open' };
    const dry = await terminateMany(gw, channel, { ...args, dryRun: true }, op());
    expect(dry.data).toMatchObject({ dryRun: true, matched: 2, terminatedCount: 0 });
    expect(namesOf(dry.data.results)).toEqual(['B', 'A']); // F is admin-x too, but ended
    expect(dry.data.results.every((r: { auditEventId: unknown }) => r.auditEventId === null)).toBe(
      true,
    );
    expect(drops(gw)).toEqual([]);

    const real = await terminateMany(gw, channel, args, op());
    expect(real.data).toMatchObject({
      dryRun: false,
      matched: 2,
      terminatedCount: 2,
      failedCount: 0,
    });
    expect(namesOf(real.data.results)).toEqual(namesOf(dry.data.results));
    expect(drops(gw).sort()).toEqual(
      dry.data.results.map((r: { sessionId: string }) => r.sessionId).sort(),
    );

    const [parent] = await auditRecords(gw, { action: 'session.terminate.bulk', limit: '1' });
    expect(parent).toMatchObject({
      id: real.data.auditEventId,
      channel,
      decision: 'allowed',
      outcome: 'succeeded',
      reason: args.reason,
      details: expect.objectContaining({ matched: 2, dryRun: false, terminated: 2 }),
    });
    for (const r of real.data.results) {
      const [child] = await auditRecords(gw, {
        sessionId: r.sessionId,
        action: 'session.terminate',
      });
      expect(child).toMatchObject({
        id: r.auditEventId,
        parentId: parent.id,
        outcome: 'succeeded',
        reason: args.reason,
      });
    }
    const after = await terminateMany(gw, channel, { ...args, dryRun: true }, op());
    expect(after.data.matched).toBe(0);
  });

  it('acts on every active session only when asked with all: true', async () => {
    const empty = await terminateMany(gw, channel, { filter: {}, dryRun: true }, op());
    expect(empty).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', field: 'filter' });
    const none = await terminateMany(gw, channel, { dryRun: true }, op());
    expect(none).toMatchObject({ status: 400, field: 'filter' });
    const activeOnly = await terminateMany(
      gw,
      channel,
      { filter: { active: true }, dryRun: true },
      op(),
    );
    expect(activeOnly).toMatchObject({ status: 400, field: 'filter' });
    const ended = await terminateMany(gw, channel, { filter: { active: false, user: 'x' } }, op());
    expect(ended).toMatchObject({ status: 400, field: 'active' });
    const all = await terminateMany(
      gw,
      channel,
      { filter: { all: true }, dryRun: true },
      commander,
    );
    expect(namesOf(all.data.results)).toEqual(['E', 'C', 'B', 'A']);
    expect(drops(gw)).toEqual([]);
  });

  it('refuses more than bulkMax sessions, dry run included, unless the caller holds session:terminate:bulk', async () => {
    for (const dryRun of [true, false]) {
      const out = await terminateMany(gw, channel, { filter: { all: true }, dryRun }, op());
      expect(out).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect(out.message).toMatch(/4 sessions match; the policy allows at most 3/);
    }
    expect(drops(gw)).toEqual([]);
    const [denied] = await auditRecords(gw, { action: 'session.terminate.bulk', limit: '1' });
    expect(denied).toMatchObject({
      decision: 'denied',
      errorCode: 'FORBIDDEN',
      details: expect.objectContaining({ matched: 4, bulkMax: 3 }),
    });
    const big = await terminateMany(gw, channel, { filter: { all: true } }, commander);
    expect(big.data).toMatchObject({ matched: 4, terminatedCount: 4 });
    expect(drops(gw)).toHaveLength(4);
  });

  it('reports each session’s own failure and keeps going', async () => {
    gw.simulator.injectFault({ kind: 'preset', preset: 'not-authorized' }, { path: 'drop' }, 1);
    const out = await terminateMany(gw, channel, { filter: { protocol: 'rdp' } }, op());
    expect(out.data).toMatchObject({ matched: 2, terminatedCount: 1, failedCount: 1 });
    const failed = out.data.results.find((r: { terminated: boolean }) => !r.terminated);
    expect(failed).toMatchObject({ code: 'UPSTREAM_FORBIDDEN', auditEventId: expect.any(String) });
    const [parent] = await auditRecords(gw, { action: 'session.terminate.bulk', limit: '1' });
    expect(parent).toMatchObject({
      outcome: 'failed',
      details: expect.objectContaining({ failed: 1 }),
    });
  });

  it('refuses callers without session:terminate', async () => {
    const out = await terminateMany(
      gw,
      channel,
      { filter: { all: true }, dryRun: true },
      gw.tokens.viewer,
    );
    expect(out).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });
});

it('keeps at most BULK_CONCURRENCY drops in flight', async () => {
  gw.simulator.injectFault({ kind: 'hang' }, { path: 'drop' }, 2);
  const pending = terminateMany(gw, 'rest', { filter: { user: 'admin-?' } }, commander);
  for (let i = 0; i < 300 && drops(gw).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 200));
  expect(drops(gw)).toHaveLength(2);
  gw.simulator.release();
  expect((await pending).data).toMatchObject({ matched: 4, terminatedCount: 4 });
});

it('refuses unknown body fields (REST)', async () => {
  const res = await gw.request('POST', '/api/v1/sessions/terminate', {
    token: gw.tokens.operator,
    body: { filter: { user: 'x' }, force: true },
  });
  expect(res.json).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', field: 'force' });
});

it('counts a bulk request as one against the caller’s rate limit', async () => {
  const limited = await startGateway({
    issuer,
    policy: POLICY,
    env: { RATE_LIMIT_TERMINATIONS_PER_MINUTE: '2' },
    simulator: { seed: fixtureSeed() },
  });
  try {
    const token = limited.tokens.operator;
    const bulk = await terminateMany(limited, 'rest', { filter: { protocol: 'rdp' } }, token);
    expect(bulk.data.terminatedCount).toBe(2);
    const one = limited.simulator.addSession();
    expect((await terminateOne(limited, 'graphql', one.sessionId, { token })).status).toBe(200);
    const third = await terminateMany(
      limited,
      'rest',
      { filter: { user: 'x' }, dryRun: true },
      token,
    );
    expect(third).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  } finally {
    await limited.close();
  }
});
