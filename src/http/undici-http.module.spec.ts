import { HttpService } from '@nestjs/axios';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { unitConfig } from '../../test/support/unit-config';
import { ConfigModule } from '../config';
import { closeTransportOf } from './undici.adapter';
import { undiciHttpModule } from './undici-http.module';

const config = unitConfig();

@Injectable()
class UserA {
  constructor(readonly http: HttpService) {}
}
@Injectable()
class UserB {
  constructor(readonly http: HttpService) {}
}
// Same registration code in both, as PamCoreModule and AuthModule have.
@Module({ imports: [undiciHttpModule(() => ({ timeoutMs: 1000 }))], providers: [UserA] })
class ModuleA {}
@Module({ imports: [undiciHttpModule(() => ({ timeoutMs: 1000 }))], providers: [UserB] })
class ModuleB {}

describe('undiciHttpModule', () => {
  it('gives each registering module its own HttpService and pool, lean defaults', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), ModuleA, ModuleB],
    }).compile();
    const a = moduleRef.get(UserA).http;
    const b = moduleRef.get(UserB).http;
    expect(a).toBeInstanceOf(HttpService);
    expect(a).not.toBe(b);
    expect(a.axiosRef.defaults.adapter).not.toBe(b.axiosRef.defaults.adapter);
    // No axios default header is merged into the calls.
    expect(a.axiosRef.defaults.headers).toEqual({});
    expect(a.axiosRef.defaults).toMatchObject({ maxRedirects: 0, responseType: 'text' });
    await closeTransportOf(a.axiosRef, 0);
    await closeTransportOf(b.axiosRef, 0);
    await moduleRef.close();
  });
});
