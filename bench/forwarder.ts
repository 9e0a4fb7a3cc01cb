/**
 * The "plain forwarder" baseline: what an operations team might deploy instead of the gateway.
 * A few lines of node:http that inject one static bearer token and pass everything through:
 * no caller authentication, no policy, no audit.
 *   node -r ts-node/register/transpile-only bench/forwarder.ts <listenPort> <upstreamBaseUrl> <token>
 */
import { Agent, createServer, request } from 'node:http';

const [port, upstream, token] = process.argv.slice(2);
const target = new URL(upstream);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer((req, res) => {
  const up = request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: target.pathname.replace(/\/$/, '') + (req.url ?? '/'),
      headers: { ...req.headers, host: target.host, authorization: `Bearer ${token}` },
      agent,
    },
    (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    },
  );
  up.on('error', () => {
    res.writeHead(502).end();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`forwarder ready\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
