import { type DynamicModule } from '@nestjs/common';
import { HttpModule, HttpService } from '@nestjs/axios';
import axios from 'axios';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { axiosDefaultsOn, undiciAdapter, type UndiciTransportOptions } from './undici.adapter';

/**
 * HttpModule (HttpService) for one upstream, on its own undici pool with the options the
 * configuration gives. The module's owner closes the pool on destroy ({@link closeTransportOf}).
 */
export function undiciHttpModule(
  optionsOf: (config: AppConfig) => UndiciTransportOptions,
): DynamicModule {
  return HttpModule.registerAsync({
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => axiosDefaultsOn(undiciAdapter(optionsOf(config))),
  });
}

/** The same HttpService outside a Nest module (tests, scripts): close it with closeTransportOf. */
export function undiciHttpService(options: UndiciTransportOptions): HttpService {
  return new HttpService(axios.create(axiosDefaultsOn(undiciAdapter(options))));
}
