import { Logger } from '@nestjs/common';
import { GatewayError } from '../errors';
import { ObserverSink } from './observer-sink';
import type { CircuitState, PamCoreObserver } from './pam-core.observer';
import {
  connectRetryPolicy,
  countsAgainstCircuit,
  resolvePolicy,
  UpstreamGuard,
} from './pam-core.policy';
import type { TransportFailure, UpstreamAnswer } from './upstream-answer';
import { transportFailureOf } from './upstream-http';
import { UpstreamPauseError } from './upstream-pause';

const logger = new Logger('PamCoreTest');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('UpstreamGuard', () => {
  beforeAll(() => Logger.overrideLogger(['error']));

  let states: CircuitState[];
  const observer: PamCoreObserver = {
    upstreamCall: () => undefined,
    tokenRefreshed: () => undefined,
    circuitStateChanged: (s) => states.push(s),
  };
  const guard = (overrides = {}, maxConcurrency = 4) =>
    new UpstreamGuard(
      resolvePolicy({ breakerThreshold: 3, breakerCooldownMs: 100, ...overrides }),
      maxConcurrency,
      new ObserverSink(observer, logger),
      logger,
    );
  const unavailable = () => new GatewayError('UPSTREAM_UNAVAILABLE', 'down');
  const caught = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as GatewayError,
    );

  beforeEach(() => (states = []));

  it('opens after N consecutive availability failures, then fails fast with Retry-After', async () => {
    const g = guard();
    let calls = 0;
    const failing = async () => {
      calls++;
      throw unavailable();
    };
    for (let i = 0; i < 3; i++)
      expect((await caught(g.run(failing)))?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(g.circuitState).toBe('open');
    const fast = await caught(g.run(failing));
    expect(calls).toBe(3);
    expect(fast).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 1 });
    expect(states).toEqual(['open']);
  });

  it('half-opens after the cool-down, closes on a successful probe', async () => {
    const g = guard();
    for (let i = 0; i < 3; i++) await caught(g.run(async () => Promise.reject(unavailable())));
    await sleep(150);
    expect(await g.run(async () => 'ok')).toBe('ok');
    expect(g.circuitState).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the probe fails', async () => {
    const g = guard();
    for (let i = 0; i < 3; i++) await caught(g.run(async () => Promise.reject(unavailable())));
    await sleep(150);
    await caught(g.run(async () => Promise.reject(new GatewayError('UPSTREAM_TIMEOUT', 'slow'))));
    expect(states).toEqual(['open', 'half-open', 'open']);
  });

  it("does not count Segura's own answers, and they reset the count", async () => {
    const g = guard();
    await caught(g.run(async () => Promise.reject(unavailable())));
    await caught(g.run(async () => Promise.reject(unavailable())));
    const answered = await caught(
      g.run(async () => Promise.reject(new GatewayError('SESSION_NOT_FOUND', 'x'))),
    );
    expect(answered?.code).toBe('SESSION_NOT_FOUND');
    await caught(g.run(async () => Promise.reject(unavailable())));
    await caught(g.run(async () => Promise.reject(unavailable())));
    expect(g.circuitState).toBe('closed');
    for (let i = 0; i < 10; i++)
      await caught(
        g.run(async () => Promise.reject(new GatewayError('UPSTREAM_AUTH_FAILED', 'x'))),
      );
    expect(g.circuitState).toBe('closed');
  });

  it('bounds concurrency and rejects overflow beyond the queue', async () => {
    const g = guard({ bulkheadQueue: 2 }, 2);
    let running = 0;
    let peak = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const op = async () => {
      running++;
      peak = Math.max(peak, running);
      await gate;
      running--;
      return 'done';
    };
    const accepted = [g.run(op), g.run(op), g.run(op), g.run(op)];
    const overflow = await caught(g.run(op));
    expect(overflow).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    release();
    expect(await Promise.all(accepted)).toEqual(['done', 'done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(g.circuitState).toBe('closed');
  });

  it("Segura's 429 and the pause it starts never open the circuit", async () => {
    const g = guard(); // threshold 3
    const tooMany = () => new UpstreamPauseError(5, 'rate limited', { status: 429, durationMs: 1 });
    for (let i = 0; i < 10; i++) await caught(g.run(async () => Promise.reject(tooMany())));
    expect(g.circuitState).toBe('closed');
    // A 429 is Segura answering: like its other answers it resets the count of failures.
    await caught(g.run(async () => Promise.reject(unavailable())));
    await caught(g.run(async () => Promise.reject(unavailable())));
    await caught(g.run(async () => Promise.reject(tooMany())));
    await caught(g.run(async () => Promise.reject(unavailable())));
    expect(g.circuitState).toBe('closed');
    expect(states).toEqual([]);
  });

  it('refuses during a pause before the breaker: a half-open circuit stays half-open', async () => {
    let paused = false;
    const pausedError = new UpstreamPauseError(3, 'wait', { durationMs: 0 });
    const g = new UpstreamGuard(
      resolvePolicy({ breakerThreshold: 3, breakerCooldownMs: 100 }),
      4,
      new ObserverSink(observer, logger),
      logger,
      {
        check: () => {
          if (paused) throw pausedError;
        },
      },
    );
    for (let i = 0; i < 3; i++) await caught(g.run(async () => Promise.reject(unavailable())));
    await sleep(150); // the next call would be the half-open probe
    paused = true;
    let ran = 0;
    for (let i = 0; i < 5; i++) {
      expect(await caught(g.run(async () => ran++))).toBe(pausedError);
    }
    expect(ran).toBe(0);
    expect(states).toEqual(['open']); // not closed by refusals that never asked Segura
    paused = false;
    expect(await g.run(async () => 'ok')).toBe('ok');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it.each([
    ['UPSTREAM_UNAVAILABLE', true],
    ['UPSTREAM_TIMEOUT', true],
    ['UPSTREAM_ERROR', true],
    ['SESSION_NOT_FOUND', false],
    ['TERMINATION_FAILED', false],
    ['UPSTREAM_AUTH_FAILED', false],
    ['UPSTREAM_FORBIDDEN', false],
    ['BAD_USER_INPUT', false],
  ] as const)('%s counts against the circuit: %s', (code, counts) => {
    expect(countsAgainstCircuit(new GatewayError(code, 'x'))).toBe(counts);
  });
});

describe('connectRetryPolicy', () => {
  const policy = connectRetryPolicy(
    resolvePolicy({ connectRetries: 2, retryInitialDelayMs: 1, retryMaxDelayMs: 2 }),
  );
  const failing = (failure: TransportFailure) => {
    let attempts = 0;
    const run = () =>
      policy.execute(async (): Promise<UpstreamAnswer> => {
        attempts++;
        return { kind: 'transport', failure, durationMs: 1 };
      });
    return { run, attempts: () => attempts };
  };

  it('retries a request that was never sent', async () => {
    const f = failing('not-sent');
    expect(await f.run()).toMatchObject({ failure: 'not-sent' });
    expect(f.attempts()).toBe(3);
  });

  it.each(['timeout', 'reset', 'tls', 'protocol', 'other'] as const)(
    'never repeats a request after %s',
    async (failure) => {
      const f = failing(failure);
      await f.run();
      expect(f.attempts()).toBe(1);
    },
  );

  it('stops at the first answer', async () => {
    let attempts = 0;
    const answer = await policy.execute(async (): Promise<UpstreamAnswer> =>
      ++attempts === 1
        ? { kind: 'transport', failure: 'not-sent', durationMs: 1 }
        : { kind: 'response', status: 500, bodyText: '', complete: true, durationMs: 1 },
    );
    expect(answer).toMatchObject({ kind: 'response', status: 500 });
    expect(attempts).toBe(2);
  });
});

describe('transportFailureOf', () => {
  const err = (code: string, extra: object = {}) => Object.assign(new Error(code), { code }, extra);
  it.each([
    [err('ECONNREFUSED'), 'not-sent'],
    [err('ENOTFOUND'), 'not-sent'],
    [err('EAI_AGAIN'), 'not-sent'],
    [err('UND_ERR_CONNECT_TIMEOUT'), 'not-sent'],
    [
      Object.assign(new AggregateError([err('ECONNREFUSED'), err('ENETUNREACH')]), {
        code: 'ECONNREFUSED',
      }),
      'not-sent',
    ],
    [err('UND_ERR_HEADERS_TIMEOUT'), 'timeout'],
    [err('UND_ERR_BODY_TIMEOUT'), 'timeout'],
    [err('UND_ERR_SOCKET'), 'reset'],
    [err('X', { cause: err('ECONNRESET') }), 'reset'],
    [err('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls'],
    [err('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    [err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls'],
    [err('HPE_INVALID_CONSTANT'), 'protocol'],
    [new Error('no code'), 'other'],
    ['not an error', 'other'],
  ])('%p → %s', (e, failure) => {
    expect(transportFailureOf(e)).toBe(failure);
  });
});
