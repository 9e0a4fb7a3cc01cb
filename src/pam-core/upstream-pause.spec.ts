import { Logger } from '@nestjs/common';
import { ObserverSink } from './observer-sink';
import type { UpstreamAnswer } from './upstream-answer';
import type { UpstreamRequest } from './upstream-http';
import { UpstreamPause, UpstreamPauseError } from './upstream-pause';

const REQ: UpstreamRequest = {
  method: 'GET',
  url: 'http://segura/x',
  headers: {},
  timeoutMs: 1000,
  maxBodyBytes: 1000,
};
const OK: UpstreamAnswer = {
  kind: 'response',
  status: 200,
  bodyText: '{}',
  complete: true,
  durationMs: 3,
};
const tooMany = (retryAfter?: string): UpstreamAnswer => ({
  kind: 'response',
  status: 429,
  bodyText: '',
  complete: true,
  retryAfter,
  durationMs: 3,
});

describe('UpstreamPause', () => {
  beforeAll(() => Logger.overrideLogger(['error']));

  let clock: number;
  let sent: number;
  let next: UpstreamAnswer;
  let held: Array<(a: UpstreamAnswer) => void> | undefined;
  let events: string[];
  let pause: UpstreamPause;
  beforeEach(() => {
    clock = Date.UTC(2026, 0, 31, 12, 0, 0);
    sent = 0;
    next = OK;
    held = undefined;
    events = [];
    const sink = new ObserverSink(
      {
        upstreamCall: () => undefined,
        tokenRefreshed: () => undefined,
        circuitStateChanged: () => undefined,
        upstreamPaused: (until) => events.push(`paused-until:${until - clock}`),
        upstreamCallPaused: () => events.push('refused'),
      },
      new Logger('test'),
    );
    const http = {
      send: async () => {
        sent++;
        return held ? new Promise<UpstreamAnswer>((r) => held?.push(r)) : next;
      },
    };
    pause = new UpstreamPause(http, sink, new Logger('test'), () => clock);
  });

  const refusal = async (): Promise<UpstreamPauseError> => {
    try {
      await pause.send(REQ);
    } catch (err) {
      if (err instanceof UpstreamPauseError) return err;
      throw err;
    }
    throw new Error('expected a refusal');
  };

  it('passes calls through while Segura has not asked to wait', async () => {
    expect(await pause.send(REQ)).toBe(OK);
    expect(() => pause.check()).not.toThrow();
    expect(sent).toBe(1);
  });

  it('a 429 pauses every call for Retry-After seconds, answering the time left, nothing sent', async () => {
    next = tooMany('3');
    expect(await pause.send(REQ)).toEqual(tooMany('3')); // the 429 itself goes to the classifier
    expect(events).toEqual(['paused-until:3000']);
    next = OK;
    const first = await refusal();
    expect(first).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryAfterSeconds: 3,
      outcomeUnknown: false,
      upstream: { durationMs: 0 },
    });
    expect(first.upstream?.status).toBeUndefined();
    clock += 1200;
    expect((await refusal()).retryAfterSeconds).toBe(2); // 1.8 s left, rounded up
    clock += 1799;
    expect((await refusal()).retryAfterSeconds).toBe(1); // never 0
    expect(() => pause.check()).toThrow(UpstreamPauseError);
    expect(sent).toBe(1);
    expect(events.filter((e) => e === 'refused')).toHaveLength(4);
    clock += 1;
    expect(await pause.send(REQ)).toBe(OK);
    expect(sent).toBe(2);
  });

  it.each([
    ['no', undefined, 5000],
    ['an unreadable', 'in a while', 5000],
    ['a huge', '86400', 300_000],
    ['an HTTP-date', 'Sat, 31 Jan 2026 12:00:04 GMT', 4000],
  ])('%s Retry-After: the pause it starts', async (_name, retryAfter, ms) => {
    next = tooMany(retryAfter);
    await pause.send(REQ);
    expect(events).toEqual([`paused-until:${ms}`]);
    clock += ms - 1;
    await refusal();
    clock += 1;
    next = OK;
    expect(await pause.send(REQ)).toBe(OK);
  });

  it('a later 429 extends the pause, a shorter one never cuts it short', async () => {
    // Calls already on their way when the first 429 came back.
    held = [];
    const calls = [pause.send(REQ), pause.send(REQ), pause.send(REQ)];
    held[0](tooMany('4'));
    await calls[0];
    held[1](tooMany('2'));
    await calls[1];
    held[2](tooMany('10'));
    await calls[2];
    expect(events).toEqual(['paused-until:4000', 'paused-until:10000']);
    clock += 9000;
    expect((await refusal()).retryAfterSeconds).toBe(1);
  });
});
