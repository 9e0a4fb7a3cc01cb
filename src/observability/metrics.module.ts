import { DynamicModule, Global, Module } from '@nestjs/common';
import { PAM_CORE_OBSERVER } from '../pam-core/pam-core.observer';
import { MetricsController, PublicMetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({})
export class MetricsModule {
  static forRoot(metricsPublic: boolean): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [metricsPublic ? PublicMetricsController : MetricsController],
      providers: [MetricsService, { provide: PAM_CORE_OBSERVER, useExisting: MetricsService }],
      exports: [MetricsService, PAM_CORE_OBSERVER],
    };
  }
}
