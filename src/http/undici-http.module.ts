import { randomUUID } from 'node:crypto';
import { type DynamicModule, Module } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { axiosDefaultsOn, undiciAdapter, type UndiciTransportOptions } from './undici.adapter';

/** Distinguishes registrations (as HttpModule's own id does): each one is its own pool. */
const REGISTRATION_ID = Symbol('UNDICI_HTTP_REGISTRATION_ID');

/** Holds the HttpService of one upstream; see {@link undiciHttpModule}. */
@Module({})
export class UndiciHttpModule {}

/**
 * HttpService (@nestjs/axios) for one upstream, on its own undici pool with the options the
 * configuration gives; replaceable in tests with `overrideProvider(HttpService)`. Not
 * HttpModule.registerAsync: its axios instance keeps axios's default headers (one Accept for
 * every method, merged on every call), and a lean instance costs less per call (measured, see
 * docs/performance.md). The module's owner closes the pool on destroy ({@link closeTransportOf}).
 */
export function undiciHttpModule(
  optionsOf: (config: AppConfig) => UndiciTransportOptions,
): DynamicModule {
  return {
    module: UndiciHttpModule,
    providers: [
      {
        provide: HttpService,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => undiciHttpService(optionsOf(config)),
      },
      { provide: REGISTRATION_ID, useValue: randomUUID() },
    ],
    exports: [HttpService],
  };
}

/** The same HttpService outside a Nest module (tests, scripts): close it with closeTransportOf. */
export function undiciHttpService(options: UndiciTransportOptions): HttpService {
  const instance = axios.create(axiosDefaultsOn(undiciAdapter(options)));
  // axios.create copies axios's defaults; these are merged into every call and mean nothing
  // here: default headers (the callers set their own), XSRF (browsers), FormData/Blob
  // (no transforms), maxBodyLength and timeout 0 (each call names its own bound).
  const defaults = instance.defaults as unknown as Record<string, unknown>;
  defaults.headers = {};
  for (const key of ['xsrfCookieName', 'xsrfHeaderName', 'env', 'maxBodyLength', 'timeout']) {
    delete defaults[key];
  }
  return new HttpService(instance);
}
