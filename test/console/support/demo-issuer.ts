import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { IssuerHandle } from '../../support/oidc-issuer';

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/**
 * The demo issuer (with its sign-in page) in a child process, shaped like the test issuer so
 * startGateway can use it. Its tokens carry roles as realm_access.roles (Keycloak's shape).
 */
export async function startDemoIssuer(): Promise<IssuerHandle> {
  const child: ChildProcess = fork(join(__dirname, 'demo-issuer.process.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const waiting = new Map<number, (r: Reply) => void>();
  child.on('message', (r: Reply) => {
    waiting.get(r.id)?.(r);
    waiting.delete(r.id);
  });
  const call = (id: number, msg?: Record<string, unknown>) =>
    new Promise<unknown>((resolve, reject) => {
      waiting.set(id, (r) => (r.ok ? resolve(r.result) : reject(new Error(r.error))));
      if (msg) child.send({ id, ...msg });
    });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`demo issuer exited with ${code}`))),
  );
  const { url } = (await Promise.race([call(0), exited])) as { url: string };
  let next = 1;
  const unsupported = () => Promise.reject(new Error('not supported by the demo issuer'));
  return {
    url,
    kid: '',
    privateJwk: {},
    publicJwk: {},
    token: async (opts = {}) =>
      (await call(next++, { cmd: 'token', payload: opts.payload })) as string,
    pause: unsupported,
    resume: unsupported,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
