import { Module } from '@nestjs/common';
import { undiciHttpModule } from '../http';
import { PamCoreClient } from './pam-core.client';
import { pamCoreTransport } from './upstream-http';

/**
 * Provides {@link PamCoreClient}. Needs the global APP_CONFIG provider; picks up a
 * PAM_CORE_OBSERVER when one is visible (e.g. from a global observability module) and
 * PAM_CORE_POLICY_OPTIONS likewise (AppModule's `pamCorePolicy`). Its HttpService is its own
 * (Segura's TLS settings and pool); tests may override it.
 */
@Module({
  imports: [undiciHttpModule((config) => pamCoreTransport(config.pamCore))],
  providers: [PamCoreClient],
  exports: [PamCoreClient],
})
export class PamCoreModule {}
