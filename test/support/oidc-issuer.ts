import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

type Claims = Record<string, unknown>;

export interface IssuerHandle {
  /** Issuer URL (no trailing slash), also the `iss` of its tokens. */
  url: string;
  kid: string;
  /** The signing key, private parts included, for hand-made edge-case tokens. */
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  /**
   * A token signed by the issuer. Header and payload entries are merged over its defaults
   * (iss, iat, nbf, exp, kid); a null value deletes one.
   */
  token(opts?: { payload?: Claims; header?: Claims; expiresIn?: number }): Promise<string>;
  /** Stops answering (connection refused) until resume(); same port afterwards. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Starts a real OIDC issuer in a child process on 127.0.0.1 and a free port. */
export async function startIssuer(): Promise<IssuerHandle> {
  const child: ChildProcess = fork(join(__dirname, 'oidc-issuer.process.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on('message', (reply: Reply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.ok) w.resolve(reply.result);
    else w.reject(new Error(reply.error));
  });
  const ready = new Promise<unknown>((resolve, reject) => {
    waiting.set(0, { resolve, reject });
    child.once('exit', (code) => reject(new Error(`issuer process exited with ${code}`)));
  });
  const info = (await ready) as Pick<IssuerHandle, 'url' | 'kid' | 'privateJwk' | 'publicJwk'>;

  const call = (msg: Claims): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send({ id, ...msg });
    });

  return {
    ...info,
    token: async (opts = {}) => (await call({ cmd: 'token', ...opts })) as string,
    pause: async () => void (await call({ cmd: 'pause' })),
    resume: async () => void (await call({ cmd: 'resume' })),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
