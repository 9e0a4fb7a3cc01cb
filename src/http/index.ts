export { undiciHttpModule, undiciHttpService } from './undici-http.module';
export {
  axiosDefaultsOn,
  closeTransportOf,
  NEVER_CANCELLED,
  undiciAdapter,
} from './undici.adapter';
export type { UndiciAdapter, UndiciTransportOptions } from './undici.adapter';
