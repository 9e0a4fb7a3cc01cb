import type { HttpService } from '@nestjs/axios';
import { isCancel, type AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import { transportFailureOf, UpstreamHttp } from '../pam-core/upstream-http';
import { rejection, Wire } from '../../test/support/wire';
import { closeTransportOf, undiciHttpService } from './index';

describe('undici adapter (axios over undici, through HttpService)', () => {
  let wire: Wire;
  let base: string;
  let http: HttpService;

  const get = (path = '/', config: Record<string, unknown> = {}): Promise<AxiosResponse<string>> =>
    firstValueFrom(http.request<string>({ method: 'GET', url: `${base}${path}`, ...config }));

  beforeEach(async () => {
    wire = new Wire((_req, res) => res.end('ok'));
    base = await wire.start();
    http = undiciHttpService({ timeoutMs: 2_000 });
  });

  afterEach(async () => {
    await closeTransportOf(http.axiosRef, 0);
    await wire.stop();
  });

  it('hands every status over as an answer, the body as text, redirects unfollowed', async () => {
    const replies: Array<[number, Record<string, string>, string]> = [
      [200, { 'content-type': 'application/json' }, '{"a":1}'],
      [302, { location: '/elsewhere' }, ''],
      [404, { 'content-type': 'text/html' }, '<html><body>Not Found</body></html>'],
      [429, { 'retry-after': '7' }, ''],
      [503, { 'content-type': 'text/html' }, '<h1>Service Unavailable</h1>'],
    ];
    for (const [status, headers, body] of replies) {
      wire.handler = (_req, res) => {
        res.writeHead(status, headers);
        res.end(body);
      };
      const res = await get('/x');
      expect(res.status).toBe(status);
      // Text as sent: JSON is not parsed, HTML and empty bodies stay what they are.
      expect(res.data).toBe(body);
      for (const [name, value] of Object.entries(headers)) expect(res.headers[name]).toBe(value);
    }
    // The 302 was not followed: one request per answer.
    expect(wire.seen.map((r) => r.url)).toEqual(['/x', '/x', '/x', '/x', '/x']);
  });

  it('sends the method, headers and string body as given', async () => {
    await firstValueFrom(
      http.request({
        method: 'POST',
        url: `${base}/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic x' },
        data: 'grant_type=client_credentials&a=%20b',
      }),
    );
    const [req] = wire.seen;
    expect(req.method).toBe('POST');
    expect(req.body).toBe('grant_type=client_credentials&a=%20b');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers.authorization).toBe('Basic x');
  });

  it('refuses a body over maxContentLength without buffering it, declared or not', async () => {
    const big = 'x'.repeat(64 * 1024);
    for (const declared of [true, false]) {
      wire.handler = (_req, res) => {
        res.writeHead(200, declared ? { 'content-length': String(big.length) } : {});
        res.end(big);
      };
      const err = await rejection(get('/', { maxContentLength: 1024 }));
      expect(err.code).toBe('ERR_BAD_RESPONSE');
      expect(err.response?.status).toBe(200);
      expect(err.response?.data).toBe('');
    }
    // At the limit exactly it is accepted.
    wire.handler = (_req, res) => res.end('y'.repeat(1024));
    expect((await get('/', { maxContentLength: 1024 })).data).toHaveLength(1024);
  });

  it('a body that breaks off keeps the status and the text read so far', async () => {
    wire.handler = (_req, res) => {
      // Raw bytes: a chunked body whose second chunk size is not hex.
      res.socket?.write(
        'HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ntransfer-encoding: chunked\r\n\r\n' +
          '6\r\n<html>\r\nZZ\r\n',
      );
    };
    const err = await rejection(get());
    expect(err.response?.status).toBe(502);
    expect(err.response?.data).toBe('<html>');
    // undici's parser error is kept as the cause (it has no code: UpstreamHttp reads it as a
    // response that cannot be read, not as a transport failure).
    expect(err.cause?.name).toBe('HTTPParserError');
    expect(transportFailureOf(err)).toBe('other');

    // Fewer bytes than declared, then a clean close: undici calls it a socket error.
    wire.handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.end('{"code":200');
      res.socket?.end();
    };
    const short = await rejection(get());
    expect(short.response?.status).toBe(200);
    expect(short.response?.data).toBe('{"code":200');
    expect(transportFailureOf(short)).toBe('reset');
  });

  it('reports the per-call timeout as ETIMEDOUT, before and after the headers', async () => {
    wire.handler = () => undefined; // never answers
    const before = await rejection(get('/', { timeout: 150 }));
    expect(before.code).toBe('ETIMEDOUT');
    expect(before.response).toBeUndefined();
    expect(transportFailureOf(before)).toBe('timeout');

    wire.handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345'); // half a body, then silence
    };
    const after = await rejection(get('/', { timeout: 150 }));
    expect(after.code).toBe('ETIMEDOUT');
    expect(after.response?.status).toBe(200);
    expect(transportFailureOf(after)).toBe('timeout');
  });

  it('tells "nothing sent" (refused) from a reset after the request was written', async () => {
    await wire.stop();
    const refused = await rejection(get());
    expect(refused.code).toBe('ECONNREFUSED');
    expect(transportFailureOf(refused)).toBe('not-sent');

    wire = new Wire((_req, res) => res.socket?.resetAndDestroy());
    base = await wire.start();
    const reset = await rejection(get());
    expect(reset.response).toBeUndefined();
    expect(transportFailureOf(reset)).toBe('reset');

    wire.handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.resetAndDestroy(), 20);
    };
    const midBody = await rejection(get());
    expect(midBody.response?.status).toBe(200);
    expect(transportFailureOf(midBody)).toBe('reset');
  });

  it('is cancelled by the caller signal', async () => {
    wire.handler = () => undefined;
    const controller = new AbortController();
    const pending = get('/', { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const err = await rejection(pending);
    expect(isCancel(err)).toBe(true);
  });

  it('refuses what it does not support instead of guessing', async () => {
    const err = await rejection(get('/', { params: { a: 1 } }));
    expect(err.code).toBe('ERR_BAD_OPTION');
    expect(wire.seen).toHaveLength(0);
  });

  describe('UpstreamHttp (the answers pam-core classifies)', () => {
    const send = (path: string, extra: { timeoutMs?: number; maxBodyBytes?: number } = {}) =>
      new UpstreamHttp(http).send({
        method: 'DELETE',
        url: `${base}${path}`,
        headers: { accept: 'application/json' },
        timeoutMs: extra.timeoutMs ?? 1_000,
        maxBodyBytes: extra.maxBodyBytes ?? 1024,
      });

    it('an HTML error page, an empty body and an oversized body are responses', async () => {
      wire.handler = (req, res) => {
        if (req.url === '/html') {
          res.writeHead(500, { 'content-type': 'text/html' });
          res.end('<html>oops</html>');
        } else if (req.url === '/empty') {
          res.writeHead(204);
          res.end();
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(`"${'z'.repeat(4096)}"`);
        }
      };
      expect(await send('/html')).toMatchObject({
        kind: 'response',
        status: 500,
        contentType: 'text/html',
        bodyText: '<html>oops</html>',
        complete: true,
      });
      expect(await send('/empty')).toMatchObject({
        kind: 'response',
        status: 204,
        bodyText: '',
        complete: true,
      });
      expect(await send('/big')).toMatchObject({
        kind: 'response',
        status: 200,
        bodyText: '',
        complete: false,
      });
    });

    it('a body cut off by a protocol error is an incomplete response with what arrived', async () => {
      wire.handler = (_req, res) => {
        res.socket?.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n' +
            'b\r\n{"code":200\r\nZZ\r\n',
        );
      };
      expect(await send('/')).toMatchObject({
        kind: 'response',
        status: 200,
        bodyText: '{"code":200',
        complete: false,
      });
    });

    it('a timeout and a reset are transport failures, with the status when headers came', async () => {
      wire.handler = () => undefined;
      expect(await send('/', { timeoutMs: 100 })).toMatchObject({
        kind: 'transport',
        failure: 'timeout',
      });
      wire.handler = (_req, res) => res.socket?.resetAndDestroy();
      const reset = await send('/');
      expect(reset).toMatchObject({ kind: 'transport', failure: 'reset' });
      expect(reset.status).toBeUndefined();
      wire.handler = (_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('part');
        setTimeout(() => res.socket?.resetAndDestroy(), 20);
      };
      expect(await send('/')).toMatchObject({ kind: 'transport', failure: 'reset', status: 200 });
      // The Retry-After of a 429 reaches the pause.
      wire.handler = (_req, res) => {
        res.writeHead(429, { 'retry-after': '3' });
        res.end();
      };
      expect(await send('/')).toMatchObject({ kind: 'response', status: 429, retryAfter: '3' });
    });

    it('nothing sent: a refused connection', async () => {
      await wire.stop();
      expect(await send('/')).toMatchObject({ kind: 'transport', failure: 'not-sent' });
    });
  });
});
