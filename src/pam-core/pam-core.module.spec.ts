import { HttpService } from '@nestjs/axios';
import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { of } from 'rxjs';
import { unitConfig } from '../../test/support/unit-config';
import { ConfigModule } from '../config';
import { PAM_CORE_OBSERVER, PAM_CORE_POLICY_OPTIONS, PamCoreClient, PamCoreModule } from './index';
import type { PamCoreObserver } from './pam-core.observer';

const config = unitConfig();

describe('PamCoreModule', () => {
  beforeAll(() => Logger.overrideLogger(['error']));

  it('provides PamCoreClient from the global APP_CONFIG', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), PamCoreModule],
    }).compile();
    expect(moduleRef.get(PamCoreClient)).toBeInstanceOf(PamCoreClient);
    await moduleRef.close();
  });

  it('picks up a global observer and policy overrides', async () => {
    const seen: string[] = [];
    const observer: PamCoreObserver = {
      upstreamCall: (op, result) => seen.push(`${op}:${result}`),
      tokenRefreshed: () => undefined,
      circuitStateChanged: () => undefined,
    };
    // Global providers, as the app's observability module and policy override provide them.
    @Global()
    @Module({
      providers: [
        { provide: PAM_CORE_OBSERVER, useValue: observer },
        { provide: PAM_CORE_POLICY_OPTIONS, useValue: { tokenRetries: 0, connectRetries: 0 } },
      ],
      exports: [PAM_CORE_OBSERVER, PAM_CORE_POLICY_OPTIONS],
    })
    class ObserverModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), ObserverModule, PamCoreModule],
    }).compile();
    const client = moduleRef.get(PamCoreClient);
    await expect(client.terminateSession('abc')).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(seen).toEqual(['token:UPSTREAM_UNAVAILABLE']);
    await moduleRef.close();
  });

  it('calls Segura through its HttpService, which a test can replace the usual way', async () => {
    const sent: string[] = [];
    const answer = (config: AxiosRequestConfig, body: unknown): AxiosResponse<string> =>
      ({
        status: 200,
        statusText: 'OK',
        headers: { 'content-type': 'application/json' },
        data: JSON.stringify(body),
        config,
      }) as AxiosResponse<string>;
    const fake = {
      axiosRef: {},
      request: (config: AxiosRequestConfig) => {
        sent.push(`${config.method} ${config.url}`);
        return of(
          config.method === 'POST'
            ? answer(config, { access_token: 'fake-token', token_type: 'Bearer', expires_in: 60 })
            : answer(config, {
                code: 200,
                response: { status: 200, message: 'Session dropped successfully', error: false },
              }),
        );
      },
    };
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), PamCoreModule],
    })
      .overrideProvider(HttpService)
      .useValue(fake)
      .compile();
    const client = moduleRef.get(PamCoreClient);
    // Port 9 answers nothing: only the fake can have produced this.
    await expect(client.terminateSession('abc')).resolves.toMatchObject({
      upstreamStatus: 200,
      message: 'Session dropped successfully',
    });
    expect(sent).toEqual([
      'POST http://127.0.0.1:9/segura/iso/oauth2/token',
      'DELETE http://127.0.0.1:9/segura/api/pam/session/drop/abc',
    ]);
    await moduleRef.close();
  });
});
