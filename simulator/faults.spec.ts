import { request as nodeRequest } from 'node:http';
import { PamCoreSimulator, type SeguraErrorPreset } from './pam-core-simulator';
import { bearer, fetchToken, http, sleep } from './test-helpers';

const ACTIVE = 'e7acacb6aedbab70073456da5744166939b77527';

function envelope(status: number, message: string, mensagem: string, code = status): unknown {
  return {
    code: status,
    response: {
      status,
      message,
      error: true,
      error_code: code,
      detail: '',
      mensagem,
      erro: true,
      cod_erro: code,
    },
  };
}

const invalidClient = {
  error: 'invalid_client',
  error_description: 'Client authentication failed',
  message: 'Client authentication failed',
};

const PRESETS: [SeguraErrorPreset, number, unknown][] = [
  [
    'not-found',
    404,
    {
      ...(envelope(404, 'Resource sub not found', 'Recurso sub não encontrado', 1002) as object),
      exception: { code: 1002, message: '1002: Session not found', detail: null },
    },
  ],
  ['unexpected', 500, envelope(500, 'Unexpected error.', 'Erro inesperado.')],
  [
    'not-authorized',
    500,
    envelope(
      500,
      'You are not authorized to access this resource.',
      'Você não tem autorização para acessar este recurso.',
    ),
  ],
  [
    'drop-failed',
    500,
    envelope(
      500,
      'An error occurred while droping session.',
      'Ocorreu um erro ao derrubar a sessão.',
    ),
  ],
  ['client-auth', 401, invalidClient],
  ['oauth-invalid-client', 401, invalidClient],
  ['invalid-signature', 401, { message: 'Invalid signature' }],
  [
    'no-route',
    404,
    {
      message: 'no Route matched with those values',
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    },
  ],
  ['timeout-message', 504, { message: 'Request timed out.' }],
  [
    'legacy-short-envelope-error',
    500,
    {
      status: 500,
      mensagem: 'Erro inesperado.',
      erro: true,
      message: 'Unexpected error.',
      error: true,
    },
  ],
];

describe('PamCoreSimulator: fault injection', () => {
  let sim: PamCoreSimulator;
  let token: string;
  let dropUrl: string;
  const drop = () => http(dropUrl, { method: 'DELETE', headers: bearer(token) });

  beforeEach(async () => {
    sim = new PamCoreSimulator({ seed: 0 });
    await sim.start();
    sim.addSession({ sessionId: ACTIVE });
    token = await fetchToken(sim);
    dropUrl = `${sim.url}/api/pam/session/drop/${ACTIVE}`;
  });
  afterEach(() => sim.stop());

  it.each(PRESETS)(
    'preset %s answers %i with the exact documented body',
    async (preset, status, body) => {
      sim.injectFault({ kind: 'preset', preset });
      const res = await drop();
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.json).toEqual(body);
      expect(sim.dropCount).toBe(0); // the session was not touched
      expect((await drop()).status).toBe(200); // times defaults to 1
    },
  );

  it('status, html, empty and truncated answers', async () => {
    sim.injectFault({ kind: 'status', status: 418, body: 'teapot', contentType: 'text/plain' });
    sim.injectFault({ kind: 'html', status: 502 });
    sim.injectFault({ kind: 'empty', status: 503 });
    sim.injectFault({ kind: 'truncated', status: 500 });
    const status = await drop();
    expect([status.status, status.text, status.headers['content-type']]).toEqual([
      418,
      'teapot',
      'text/plain',
    ]);
    const html = await drop();
    expect(html.status).toBe(502);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain('<title>502 Bad Gateway</title>');
    const empty = await drop();
    expect([empty.status, empty.text]).toEqual([503, '']);
    const truncated = await drop();
    expect(truncated.status).toBe(500);
    expect(truncated.text.startsWith('{"code":500,')).toBe(true);
    expect(() => JSON.parse(truncated.text) as unknown).toThrow();
  });

  it('rate-limited answers 429 with Retry-After (default 5, as given, or none) and X-RateLimit-*', async () => {
    sim.injectFault({ kind: 'rate-limited' });
    sim.injectFault({ kind: 'rate-limited', retryAfter: 'Wed, 21 Oct 2099 07:28:00 GMT' });
    sim.injectFault({ kind: 'rate-limited', retryAfter: null, body: 'empty' });
    const segura = await drop();
    expect(segura.status).toBe(429);
    expect(segura.headers['retry-after']).toBe('5');
    expect(segura.headers['x-ratelimit-remaining']).toBe('0');
    expect(segura.json).toEqual(envelope(429, 'Too Many Requests', 'Muitas requisições'));
    expect((await drop()).headers['retry-after']).toBe('Wed, 21 Oct 2099 07:28:00 GMT');
    const bare = await drop();
    expect([bare.status, bare.text, bare.headers['retry-after']]).toEqual([429, '', undefined]);
    expect(sim.dropCount).toBe(0);
    expect(() => sim.injectFault({ kind: 'rate-limited', body: 'html' } as never)).toThrow(
      'rate-limited: body must be segura or empty',
    );
    expect(() => sim.injectFault({ kind: 'rate-limited', retryAfter: 'a\r\nb' })).toThrow(
      'rate-limited: retryAfter must be a printable string or null',
    );
  });

  it('latency delays, then answers normally', async () => {
    sim.injectFault({ kind: 'latency', ms: 200 }, { path: 'drop' });
    const t0 = Date.now();
    const res = await drop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(res.status).toBe(200);
    expect(sim.dropCount).toBe(1);
  });

  it('reset destroys the socket after reading the request', async () => {
    sim.injectFault({ kind: 'reset' }, { method: 'DELETE' });
    const err = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const req = nodeRequest(dropUrl, { method: 'DELETE', headers: bearer(token) }, () =>
        reject(new Error('got an answer')),
      );
      req.on('error', resolve);
      req.end();
    });
    expect(err.code).toBe('ECONNRESET');
    expect(sim.requests.at(-1)?.method).toBe('DELETE'); // recorded before the fault
    // undici (the gateway's client) on a reused keep-alive connection sees a socket error too.
    expect((await drop()).status).toBe(200);
    sim.injectFault({ kind: 'reset' });
    const undiciErr: unknown = await drop().then(
      () => undefined,
      (e: unknown) => e,
    );
    // (undici's errors come from another realm under jest: check the code, not instanceof)
    const code = (undiciErr as { code?: string } | undefined)?.code;
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(code);
  });

  it('hang holds requests until release(), which answers them normally', async () => {
    sim.injectFault({ kind: 'hang' }, { path: 'drop' }, 2);
    let settled = 0;
    const pending = [drop(), drop()].map((p) => p.finally(() => (settled += 1)));
    await sleep(150);
    expect(settled).toBe(0);
    expect(sim.requests.filter((r) => r.method === 'DELETE')).toHaveLength(2);
    sim.release();
    const [a, b] = await Promise.all(pending);
    expect([a.status, b.status].sort()).toEqual([200, 500]); // second drop: already ended
    expect(sim.dropCount).toBe(1);
  });

  it('stop() does not wait for hung requests or idle keep-alive sockets', async () => {
    sim.injectFault({ kind: 'hang' });
    const hung = drop();
    await sleep(50);
    const t0 = Date.now();
    await sim.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(hung).rejects.toThrow();
  });

  it('matches by method and path, consumes in FIFO order, and supports Infinity', async () => {
    const list = () => http(`${sim.url}/api/session/remotesessions`, { headers: bearer(token) });
    sim.injectFault({ kind: 'preset', preset: 'unexpected' }, { method: 'GET', path: 'list' });
    sim.injectFault({ kind: 'empty', status: 502 }, { path: 'any' }, 2);
    sim.injectFault({ kind: 'preset', preset: 'no-route' }, { path: 'token' }, Infinity);
    const first = await drop(); // skips the GET/list fault
    expect([first.status, first.text]).toEqual([502, '']);
    expect((await list()).json.response.message).toBe('Unexpected error.');
    expect((await list()).status).toBe(502);
    expect((await list()).status).toBe(200);
    const tokens = sim.tokenRequests;
    for (let i = 0; i < 3; i++) await expect(fetchToken(sim)).rejects.toThrow(/404/);
    expect(sim.tokenRequests).toBe(tokens + 3); // faulted token hits still count
    sim.clearFaults();
    await expect(fetchToken(sim)).resolves.toEqual(expect.any(String));
    expect(() => sim.injectFault({ kind: 'latency', ms: -1 })).toThrow();
    expect(() => sim.injectFault({ kind: 'hang' }, {}, 0)).toThrow();
  });
});
