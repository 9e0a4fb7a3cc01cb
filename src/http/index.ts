export { undiciHttpModule, undiciHttpService } from './undici-http.module';
export { axiosDefaultsOn, closeTransportOf, undiciAdapter } from './undici.adapter';
export type { UndiciAdapter, UndiciTransportOptions } from './undici.adapter';
