import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointService } from '../../src/audit/checkpoint/checkpoint.service';
import { loadConfig } from '../../src/config';
import { TempDirs } from './support/checkpoints';
import { runCli } from './support/verify-cli';

const BASE = {
  PAM_CORE_URL: 'https://segura.example',
  PAM_CORE_CLIENT_ID: 'id',
  PAM_CORE_CLIENT_SECRET: 'secret',
  AUTH_ISSUER: 'https://idp.example',
  AUTH_AUDIENCE: 'pam-gateway',
  RBAC_POLICY_FILE: 'policy.yaml',
};

const pkcs8 = (type: 'ed25519' | 'ec') => {
  const { privateKey } =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
};

const errorsOf = (env: Record<string, string>): string[] => {
  const r = loadConfig({ ...BASE, ...env });
  return r.ok ? [] : r.errors;
};

describe('checkpoint settings', () => {
  const dirs = new TempDirs();
  afterAll(() => dirs.removeAll());

  it('are off without a key, and read the key from AUDIT_CHECKPOINT_KEY_FILE', () => {
    const off = loadConfig(BASE);
    expect(off.ok && off.config.checkpoints).toBeUndefined();
    const dir = dirs.make('cp-config-');
    writeFileSync(join(dir, 'key.pem'), pkcs8('ed25519'));
    const on = loadConfig({
      ...BASE,
      AUDIT_CHECKPOINT_KEY_FILE: join(dir, 'key.pem'),
      AUDIT_CHECKPOINT_DIR: join(dir, 'cp'),
    });
    expect(on.ok).toBe(true);
    if (!on.ok) return;
    expect(on.config.checkpoints?.key.asymmetricKeyType).toBe('ed25519');
    expect(on.config.checkpoints).toMatchObject({ dir: join(dir, 'cp'), intervalS: 60 });
  });

  it('accept a key pasted on one line with \\n', () => {
    const oneLine = pkcs8('ed25519').trim().replace(/\n/g, '\\n');
    const r = loadConfig({ ...BASE, AUDIT_CHECKPOINT_KEY: oneLine, AUDIT_CHECKPOINT_DIR: '/cp' });
    expect(r.ok).toBe(true);
  });

  it('refuse a key of another type or no key at all, naming the variable, never the value', () => {
    const ec = pkcs8('ec');
    expect(errorsOf({ AUDIT_CHECKPOINT_KEY: ec, AUDIT_CHECKPOINT_DIR: '/cp' })).toEqual([
      'AUDIT_CHECKPOINT_KEY: must be an Ed25519 key (this one is ec)',
    ]);
    const garbage = 'not-a-key-but-a-secret-value';
    const errors = errorsOf({ AUDIT_CHECKPOINT_KEY: garbage, AUDIT_CHECKPOINT_DIR: '/cp' });
    expect(errors).toEqual([
      'AUDIT_CHECKPOINT_KEY: must be an unencrypted Ed25519 private key in PEM (PKCS#8)',
    ]);
    expect(errors.join('\n')).not.toContain(garbage);
  });

  it('require the directory with a key, a key with the directory, and a whole interval', () => {
    expect(errorsOf({ AUDIT_CHECKPOINT_KEY: pkcs8('ed25519') })).toEqual([
      'AUDIT_CHECKPOINT_DIR: is required when AUDIT_CHECKPOINT_KEY is set',
    ]);
    expect(errorsOf({ AUDIT_CHECKPOINT_DIR: '/cp' })).toEqual([
      'AUDIT_CHECKPOINT_DIR: is set but AUDIT_CHECKPOINT_KEY is not (no checkpoints)',
    ]);
    expect(
      errorsOf({
        AUDIT_CHECKPOINT_KEY: pkcs8('ed25519'),
        AUDIT_CHECKPOINT_DIR: '/cp',
        AUDIT_CHECKPOINT_INTERVAL_S: '0',
      }),
    ).toEqual(['AUDIT_CHECKPOINT_INTERVAL_S: must be a whole number from 1 to 86400']);
    expect(
      errorsOf({
        AUDIT_DATABASE_URL: 'sqlite::memory:',
        AUDIT_CHECKPOINT_KEY: pkcs8('ed25519'),
        AUDIT_CHECKPOINT_DIR: '/cp',
      }),
    ).toEqual([
      'AUDIT_CHECKPOINT_KEY: checkpoints need a durable AUDIT_DATABASE_URL, not :memory:',
    ]);
  });
});

describe('the checkpoint directory at start', () => {
  const dirs = new TempDirs();
  afterAll(() => dirs.removeAll());

  it('must exist: a share that failed to mount stops the start instead of being created', async () => {
    const work = dirs.make('cp-start-');
    const missing = join(work, 'not-mounted');
    const service = new CheckpointService({
      audit: { databaseUrl: `sqlite:${join(work, 'audit.db')}` },
      checkpoints: { key: generateKeyPairSync('ed25519').privateKey, dir: missing, intervalS: 60 },
    });
    await expect(service.onModuleInit()).rejects.toThrow(
      'AUDIT_CHECKPOINT_DIR: must be an existing, writable directory',
    );
    expect(existsSync(missing)).toBe(false);
    await service.onModuleDestroy();
  });
});

describe('audit:verify public-key and its arguments', () => {
  const dirs = new TempDirs();
  afterAll(() => dirs.removeAll());

  it('prints the public key (PEM SPKI) of AUDIT_CHECKPOINT_KEY', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const run = await runCli({ AUDIT_CHECKPOINT_KEY: pem }, ['public-key']);
    expect(run).toMatchObject({
      code: 0,
      stdout: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const none = await runCli({}, ['public-key']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('AUDIT_CHECKPOINT_KEY: is required');
  });

  it('exit 2 for half the checkpoint options, a private key given as public, an unknown command', async () => {
    const dir = dirs.make('cp-cli-');
    writeFileSync(join(dir, 'private.pem'), pkcs8('ed25519'));
    const half = await runCli({}, ['--checkpoints', dir]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--checkpoints and --public-key go together');
    const priv = await runCli({}, ['--checkpoints', dir, '--public-key', join(dir, 'private.pem')]);
    expect(priv.code).toBe(2);
    expect(priv.stderr).toContain('--public-key: holds a private key');
    expect(priv.stderr).not.toContain('PRIVATE KEY-----');
    const unknown = await runCli({}, ['verify-everything']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "verify-everything"');
  });
});
