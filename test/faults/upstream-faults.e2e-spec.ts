import type { AuditRecord } from '../../src/audit/audit.types';
import type { Fault } from '../../simulator/pam-core-simulator';
import { readAuditRecords } from '../support/audit-reader';
import { type GatewayHarness, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { type Answer, CHANNELS, type Channel, terminate } from '../support/termination';

/**
 * Segura misbehaving, over real HTTP. Each case checks what the caller saw, what the
 * simulator received, and what the audit log holds: `failed` when nothing can have happened
 * in Segura, `unknown` when the drop was sent and its effect cannot be known.
 */
let issuer: IssuerHandle;
beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer?.stop();
});

/** Retries fast so tests never wait on production backoff; everything else is production's. */
const FAST_RETRIES = { retryInitialDelayMs: 1, retryMaxDelayMs: 10 };

function drops(gw: GatewayHarness, sessionId?: string): number {
  return gw.simulator.requests.filter(
    (r) => r.method === 'DELETE' && (sessionId === undefined || r.path.endsWith(`/${sessionId}`)),
  ).length;
}

async function recordOf(
  gw: GatewayHarness,
  answer: Answer,
  sessionId: string,
): Promise<AuditRecord> {
  const records = await readAuditRecords(gw.url, { token: gw.tokens.auditor }, { sessionId });
  const mine = records.filter((r) => r.requestId === answer.requestId);
  expect(mine).toHaveLength(1);
  return mine[0];
}

async function attempt(gw: GatewayHarness, channel: Channel) {
  const sessionId = gw.simulator.addSession().sessionId;
  const answer = await terminate(gw.url, channel, sessionId, { token: gw.tokens.operator });
  return { sessionId, answer };
}

describe('answers Segura gets wrong', () => {
  let gw: GatewayHarness;
  let relay: TcpProxy;
  beforeAll(async () => {
    // Segura is reached through a relay that can cut an answer half-way.
    relay = await startTcpProxy('127.0.0.1', 9);
    gw = await startGateway({
      issuer,
      env: { PAM_CORE_TIMEOUT_MS: '500', PAM_CORE_URL: `http://127.0.0.1:${relay.port}` },
      // A breaker that never opens here: these cases are about one call each.
      pamCorePolicy: { ...FAST_RETRIES, breakerThreshold: 1000 },
    });
    relay.retarget(Number(new URL(gw.simulator.url).port));
  });
  afterAll(async () => {
    await gw?.close();
    await relay?.stop();
  });
  beforeEach(() => {
    gw.simulator.clearFaults();
    gw.simulator.resetRequests();
  });

  it.each(CHANNELS)(
    '%s: slow past the timeout → 504, one drop (no retry), outcome unknown',
    async (channel) => {
      // Segura answers (and drops the session) long after the gateway gave up waiting.
      gw.simulator.injectFault({ kind: 'latency', ms: 3000 }, { path: 'drop' }, 1);
      const { sessionId, answer } = await attempt(gw, channel);
      expect(answer).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
      expect(drops(gw, sessionId)).toBe(1);
      expect(await recordOf(gw, answer, sessionId)).toMatchObject({
        decision: 'allowed',
        outcome: 'unknown',
        errorCode: 'UPSTREAM_TIMEOUT',
      });
    },
  );

  // [what Segura does, code, REST status, honest outcome, fault]
  const cases: Array<[string, string, number, 'failed' | 'unknown', Fault | 'cut']> = [
    [
      'resets the connection before answering',
      'UPSTREAM_UNAVAILABLE',
      503,
      'unknown',
      { kind: 'reset' },
    ],
    // Headers and the start of a 200 came, then a reset: the drop may well have happened.
    ['resets the connection mid-answer', 'UPSTREAM_UNAVAILABLE', 503, 'unknown', 'cut'],
    [
      'answers malformed JSON',
      'UPSTREAM_ERROR',
      502,
      'unknown',
      {
        kind: 'status',
        status: 200,
        body: '{"code":200,"response":{"status":',
        contentType: 'application/json',
      },
    ],
    [
      'cuts its JSON off mid-body',
      'UPSTREAM_ERROR',
      502,
      'unknown',
      { kind: 'truncated', status: 200 },
    ],
    ['answers an HTML 500 page', 'UPSTREAM_ERROR', 502, 'unknown', { kind: 'html', status: 500 }],
    [
      'sits behind a proxy answering HTML 502',
      'UPSTREAM_UNAVAILABLE',
      503,
      'unknown',
      { kind: 'html', status: 502 },
    ],
    [
      'sits behind a proxy answering HTML 403',
      'UPSTREAM_FORBIDDEN',
      502,
      'failed',
      { kind: 'html', status: 403 },
    ],
    ['answers an empty 404', 'UPSTREAM_ERROR', 502, 'failed', { kind: 'empty', status: 404 }],
  ];

  describe.each(CHANNELS)('%s', (channel) => {
    it.each(cases)(
      'Segura %s → %s (%i), outcome %s',
      async (_name, code, status, outcome, fault) => {
        if (fault === 'cut') relay.cutNextResponse(10);
        else gw.simulator.injectFault(fault, { path: 'drop' }, 1);
        const { sessionId, answer } = await attempt(gw, channel);
        expect(answer).toMatchObject({ status, code });
        // 503 always tells the caller when to come back.
        if (status === 503) expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
        expect(answer.raw).not.toMatch(/<html|"response"|"code":200/i);
        expect(drops(gw, sessionId)).toBe(1);
        expect(await recordOf(gw, answer, sessionId)).toMatchObject({ outcome, errorCode: code });
      },
    );
  });
});

describe('circuit breaker (5 consecutive failures, short cool-down)', () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    // Production's threshold; only the cool-down is shortened so recovery fits in a test.
    gw = await startGateway({
      issuer,
      pamCorePolicy: { ...FAST_RETRIES, breakerCooldownMs: 1000 },
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('a 5xx storm opens it, calls then fail fast without reaching Segura, and it recovers', async () => {
    gw.simulator.injectFault(
      { kind: 'status', status: 503, body: 'Service Unavailable', contentType: 'text/plain' },
      { path: 'drop' },
      5,
    );
    for (let i = 0; i < 5; i++) {
      const { answer } = await attempt(gw, CHANNELS[i % 2]);
      expect(answer).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
    }
    expect(drops(gw)).toBe(5);
    const seen = gw.simulator.requests.length;

    for (const channel of CHANNELS) {
      const { sessionId, answer } = await attempt(gw, channel);
      expect(answer).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(gw.simulator.requests).toHaveLength(seen);
      // Refused before forwarding, and recorded as such: nothing can have happened in Segura.
      expect(await recordOf(gw, answer, sessionId)).toMatchObject({
        decision: 'allowed',
        outcome: 'failed',
        errorCode: 'UPSTREAM_UNAVAILABLE',
      });
    }

    // After the cool-down one call is let through; Segura is fine again, so it closes.
    let recovered: Answer | undefined;
    for (let i = 0; i < 75 && !recovered; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const { answer } = await attempt(gw, 'rest');
      if (answer.status === 200) recovered = answer;
      else expect(answer.code).toBe('UPSTREAM_UNAVAILABLE');
    }
    expect(recovered?.payload?.terminated).toBe(true);
    expect((await attempt(gw, 'graphql')).answer.status).toBe(200);
    expect(drops(gw)).toBe(7);
  });
});

describe("Segura's token endpoint down", () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    gw = await startGateway({ issuer, pamCorePolicy: FAST_RETRIES });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it.each(CHANNELS)(
    '%s: token endpoint answering 500 → 503, no drop sent, outcome failed',
    async (channel) => {
      gw.simulator.resetRequests();
      gw.simulator.injectFault(
        { kind: 'status', status: 500, body: '' },
        { path: 'token' },
        Infinity,
      );
      const { sessionId, answer } = await attempt(gw, channel);
      gw.simulator.clearFaults();
      expect(answer).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(drops(gw)).toBe(0);
      // Asking for a token has no side effect, so it was retried (twice) before giving up.
      expect(gw.simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(3);
      expect(await recordOf(gw, answer, sessionId)).toMatchObject({
        outcome: 'failed',
        errorCode: 'UPSTREAM_UNAVAILABLE',
      });
    },
  );

  it('Segura stopped → 503 in both channels, outcome failed; back when it is', async () => {
    expect((await attempt(gw, 'rest')).answer.status).toBe(200); // a token is cached now
    const port = Number(new URL(gw.simulator.url).port);
    await gw.simulator.stop();
    for (const channel of CHANNELS) {
      const { sessionId, answer } = await attempt(gw, channel);
      expect(answer).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      // Connection refused: the drop never left the gateway.
      expect(await recordOf(gw, answer, sessionId)).toMatchObject({ outcome: 'failed' });
    }
    await gw.simulator.start(port, '127.0.0.1');
    expect((await attempt(gw, 'graphql')).answer.status).toBe(200);
  });
});
