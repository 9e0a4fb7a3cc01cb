/**
 * Child process running a real OIDC issuer (oauth2-mock-server) for the e2e tests. jest cannot
 * load that ES-module-only package in-process, so the tests talk to it over loopback like the
 * gateway does. Tokens are minted through its own token endpoint: the `claims` form field (JSON)
 * is merged into the payload, `exp_in` sets the lifetime in seconds.
 */
import type { IncomingMessage } from 'node:http';

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OAuth2Server } = require('oauth2-mock-server') as typeof import('oauth2-mock-server');
  const server = new OAuth2Server();
  const key = await server.issuer.keys.generate('RS256');
  server.service.on(
    'beforeTokenSigning',
    (token: { header: Record<string, unknown>; payload: Record<string, unknown> }, req: IncomingMessage & { body: Record<string, string> }) => {
      const claims = req.body.claims ? (JSON.parse(req.body.claims) as Record<string, unknown>) : {};
      const now = Math.floor(Date.now() / 1000);
      if (req.body.exp_in) token.payload.exp = now + Number(req.body.exp_in);
      delete token.payload.scope;
      for (const [k, v] of Object.entries(claims)) {
        if (v === null) delete token.payload[k];
        else token.payload[k] = v;
      }
    },
  );
  await server.start(0, '127.0.0.1');
  process.stdout.write(JSON.stringify({ url: server.issuer.url, kid: key.kid, publicJwk: server.issuer.keys.toJSON(false)[0] }) + '\n');
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

void main();
