import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export interface TestIssuer {
  url: string;
  kid: string;
  publicJwk: Record<string, unknown>;
  /** A token from the issuer's own token endpoint; claims are merged (null deletes one). */
  token(claims?: Record<string, unknown>, expiresInSeconds?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a real OIDC issuer (discovery, JWKS, RS256 tokens) in a child process on loopback. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'oidc-issuer.child.ts')],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  const first = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      rl.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`issuer exited with ${code}`)));
  });
  const info = JSON.parse(first) as { url: string; kid: string; publicJwk: Record<string, unknown> };
  return {
    ...info,
    async token(claims = {}, expiresInSeconds) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'tests', claims: JSON.stringify(claims) });
      if (expiresInSeconds !== undefined) body.set('exp_in', String(expiresInSeconds));
      const res = await fetch(`${info.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      if (!res.ok) throw new Error(`issuer token endpoint answered ${res.status}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
