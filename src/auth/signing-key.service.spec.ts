import { generateKeyPairSync } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AxiosRequestConfig } from 'axios';
import { of } from 'rxjs';
import { ConfigModule, loadConfigOrThrow } from '../config';
import { SigningKeyService } from './signing-key.service';

const ISSUER = 'https://issuer.invalid/realms/x';
const config = loadConfigOrThrow({
  PAM_CORE_URL: 'http://127.0.0.1:9/segura',
  PAM_CORE_CLIENT_ID: 'id',
  PAM_CORE_CLIENT_SECRET: 'secret',
  AUTH_ISSUER: ISSUER,
  AUTH_AUDIENCE: 'aud',
  RBAC_POLICY_FILE: '/dev/null',
});

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('SigningKeyService', () => {
  beforeAll(() => Logger.overrideLogger(['error']));

  it('fetches discovery and the JWKS through its HttpService, which a test can replace', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' };
    const documents: Record<string, unknown> = {
      [`${ISSUER}/.well-known/openid-configuration`]: {
        issuer: ISSUER,
        jwks_uri: 'https://issuer.invalid/keys',
      },
      'https://issuer.invalid/keys': { keys: [jwk] },
    };
    const asked: string[] = [];
    const fake = {
      axiosRef: {},
      get: (url: string, cfg: AxiosRequestConfig) => {
        asked.push(url);
        return of({ status: 200, headers: {}, data: JSON.stringify(documents[url]), config: cfg });
      },
    };
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config)],
      providers: [SigningKeyService, { provide: HttpService, useValue: fake }],
    }).compile();
    const keys = moduleRef.get(SigningKeyService);
    // The issuer's host does not resolve: only the replacement can have answered.
    const token = `${b64url({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64url({})}.c2ln`;
    const key = await keys.keyFor(token);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(asked).toEqual([
      `${ISSUER}/.well-known/openid-configuration`,
      'https://issuer.invalid/keys',
    ]);
    await moduleRef.close();
  });
});
