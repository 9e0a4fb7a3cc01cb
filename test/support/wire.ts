import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AxiosError } from 'axios';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A loopback server whose handler decides, per test, what goes on the wire. */
export class Wire {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  seen: Array<{
    method?: string;
    url?: string;
    headers: IncomingMessage['headers'];
    body: string;
  }> = [];

  constructor(public handler: Handler) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        this.handler(req, res, body);
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<AxiosError<string>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AxiosError) return err as AxiosError<string>;
    throw err;
  }
  throw new Error('expected a rejection');
}
