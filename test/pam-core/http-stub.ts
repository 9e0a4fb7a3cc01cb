/** A scripted node:http server for unit specs of pam-core: records requests, answers per handler. */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type StubReply =
  | { status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | 'hang'
  | 'reset';
export type StubHandler = (req: StubRequest) => StubReply | Promise<StubReply>;

export class HttpStub {
  readonly requests: StubRequest[] = [];
  private server?: Server;
  private readonly held: ServerResponse[] = [];

  constructor(public handler: StubHandler) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const res of this.held) res.destroy();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const request = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(request);
    const reply = await this.handler(request);
    if (reply === 'hang') {
      this.held.push(res);
      return;
    }
    if (reply === 'reset') {
      res.socket?.resetAndDestroy();
      return;
    }
    const body = reply.body ?? '';
    res.writeHead(reply.status, {
      'content-type': reply.contentType ?? 'application/json',
      'content-length': Buffer.byteLength(body),
      ...reply.headers,
    });
    res.end(body);
  }
}

export const tokenReply = (token: string, expiresIn: unknown = 3600): StubReply => ({
  status: 200,
  body: JSON.stringify({ token_type: 'Bearer', expires_in: expiresIn, access_token: token }),
});

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
