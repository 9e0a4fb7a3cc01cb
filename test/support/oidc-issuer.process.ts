/**
 * Child process running a real OIDC issuer (oauth2-mock-server: discovery, JWKS, RS256) for the
 * auth e2e tests. jest cannot load that ES-module-only package in-process; plain Node can, and
 * the gateway talks to it over loopback exactly as it would to a real IdP.
 *
 * IPC protocol: the parent sends {id, cmd, ...}; the child answers {id, ok, result | error}.
 */
type Claims = Record<string, unknown>;
interface Command {
  id: number;
  cmd: 'token' | 'pause' | 'resume';
  header?: Claims;
  payload?: Claims;
  expiresIn?: number;
}

function apply(target: Claims, changes: Claims | undefined): void {
  for (const [k, v] of Object.entries(changes ?? {})) {
    if (v === null) delete target[k];
    else target[k] = v;
  }
}

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OAuth2Server } = require('oauth2-mock-server') as typeof import('oauth2-mock-server');
  const server = new OAuth2Server();
  const key = await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  const port = server.address().port;
  const url = `http://127.0.0.1:${port}`;
  // Its default issuer URL says "localhost"; keep everything on the address it listens on.
  server.issuer.url = url;

  const run = async (msg: Command): Promise<unknown> => {
    switch (msg.cmd) {
      case 'token':
        return server.issuer.buildToken({
          kid: key.kid,
          expiresIn: msg.expiresIn ?? 300,
          scopesOrTransform: (header, payload) => {
            delete payload.scope;
            apply(header, msg.header);
            apply(payload, msg.payload);
          },
        });
      case 'pause':
        await server.stop();
        return null;
      case 'resume':
        server.issuer.url = url;
        await server.start(port, '127.0.0.1');
        return null;
    }
  };
  process.on('message', (msg: Command) => {
    run(msg).then(
      (result) => process.send?.({ id: msg.id, ok: true, result }),
      (err: unknown) => process.send?.({ id: msg.id, ok: false, error: String(err) }),
    );
  });
  process.on('disconnect', () => void server.stop().finally(() => process.exit(0)));
  process.send?.({
    id: 0,
    ok: true,
    result: {
      url,
      kid: key.kid,
      privateJwk: server.issuer.keys.toJSON(true)[0],
      publicJwk: server.issuer.keys.toJSON(false)[0],
    },
  });
}

void main();
