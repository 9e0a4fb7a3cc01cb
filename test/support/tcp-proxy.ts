import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP relay the test can cut: code under test connects to the relay's port instead
 * of a real service (PostgreSQL, Segura), and stop() makes that service unreachable (listener
 * closed, every open connection destroyed: connection refused from then on) without touching
 * the service, which other tests share. start() listens on the same port again.
 */
export interface TcpProxy {
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Relays new connections to another port (the target may start after the relay). */
  retarget(port: number): void;
  /**
   * HTTP only: the next response is cut after its headers and `bodyBytes` bytes of its body,
   * with a TCP reset, as a server or proxy dying mid-answer would.
   */
  cutNextResponse(bodyBytes: number): void;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let target = targetPort;
  let cutAfter: number | null = null;

  const relay = (client: Socket) => {
    const upstream = createConnection(target, targetHost);
    for (const sock of [client, upstream]) {
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
      sock.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    let seen = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      if (cutAfter === null) {
        client.write(chunk);
        return;
      }
      seen = Buffer.concat([seen, chunk]);
      const headersEnd = seen.indexOf('\r\n\r\n');
      if (headersEnd < 0 || seen.length < headersEnd + 4 + cutAfter) return;
      client.write(seen.subarray(0, headersEnd + 4 + cutAfter), () => client.resetAndDestroy());
      upstream.destroy();
      cutAfter = null;
    });
    upstream.on('end', () => client.end());
  };

  const listen = async (): Promise<void> => {
    const s = createServer(relay);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as { port: number }).port;
    server = s;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    stop: async () => {
      const s = server;
      server = undefined;
      if (!s) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const sock of sockets) sock.destroy();
      await closed;
    },
    start: async () => {
      if (!server) await listen();
    },
    retarget: (p) => {
      target = p;
    },
    cutNextResponse: (bodyBytes) => {
      cutAfter = bodyBytes;
    },
  };
}
