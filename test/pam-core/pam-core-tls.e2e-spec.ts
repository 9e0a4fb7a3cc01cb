import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { PamCoreClient } from '../../src/pam-core';
import { caught, makeClient, quietLogs } from './support';

// A tiny HTTPS Segura (token + drop) with a self-signed certificate from fixtures/.
const CERT = join(__dirname, 'fixtures', 'tls-cert.pem');
const KEY = join(__dirname, 'fixtures', 'tls-key.pem');
const ID = 'e7acacb6aedbab70073456da5744166939b77527';

describe('PamCoreClient over TLS', () => {
  let server: Server;
  let url: string;
  let hits: number;
  const clients: PamCoreClient[] = [];
  const client = (env: Record<string, string>) => {
    const c = makeClient(url, env);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    quietLogs();
    server = createServer({ cert: readFileSync(CERT), key: readFileSync(KEY) }, (req, res) => {
      hits++;
      const body = req.url?.endsWith('/oauth2/token')
        ? { token_type: 'Bearer', expires_in: 3600, access_token: 'tls-token' }
        : {
            code: 200,
            response: { status: 200, message: 'Session dropped successfully', error: false },
          };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/segura`;
  });

  beforeEach(() => (hits = 0));

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.onModuleDestroy();
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('verifies certificates by default: an untrusted one → UPSTREAM_UNAVAILABLE, nothing sent', async () => {
    const err = await caught(client({}).terminateSession(ID));
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', outcomeUnknown: false });
    expect(hits).toBe(0);
  });

  it('trusts the configured CA bundle', async () => {
    expect((await client({ PAM_CORE_CA_FILE: CERT }).terminateSession(ID)).upstreamStatus).toBe(
      200,
    );
    expect(hits).toBe(2);
  });

  it('skips verification only when told to, and warns at start', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const c = client({ PAM_CORE_TLS_INSECURE: 'true' });
    c.onModuleInit();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('NOT verified'));
    expect((await c.terminateSession(ID)).upstreamStatus).toBe(200);
  });

  it('does not warn when verifying', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    client({ PAM_CORE_CA_FILE: CERT }).onModuleInit();
    expect(warn).not.toHaveBeenCalled();
  });
});
