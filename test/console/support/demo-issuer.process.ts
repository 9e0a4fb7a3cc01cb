/**
 * Child process running the demo's issuer (scripts/issuer.ts: oauth2-mock-server with the demo
 * sign-in page) for the console's browser tests; jest cannot load that ES-module-only package
 * in-process. IPC: {id: 0, ok, result: {url}} once listening; {id, cmd: 'token', payload} mints
 * an access token with those claims.
 */
import { startIssuer } from '../../../scripts/issuer';

interface Command {
  id: number;
  cmd: 'token';
  payload?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const issuer = await startIssuer(0, '127.0.0.1');
  process.on('message', (msg: Command) => {
    issuer
      .token(msg.payload ?? {})
      .then((result) => process.send?.({ id: msg.id, ok: true, result }))
      .catch((err: unknown) => process.send?.({ id: msg.id, ok: false, error: String(err) }));
  });
  process.on('disconnect', () => {
    void issuer.stop().then(() => process.exit(0));
  });
  process.send?.({ id: 0, ok: true, result: { url: issuer.url } });
}

main().catch((err: unknown) => {
  process.stderr.write(`demo issuer failed: ${String(err)}\n`);
  process.exit(1);
});
