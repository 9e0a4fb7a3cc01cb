import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { RequirePermission } from '../rbac/require-permission.decorator';
import { MetricsService } from './metrics.service';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** /metrics for scrapers holding `metrics:read` (a service key, typically). */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @RequirePermission('metrics:read')
  @Header('Content-Type', CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** /metrics without authentication, only when METRICS_PUBLIC=true. */
@ApiExcludeController()
@Controller('metrics')
export class PublicMetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Public()
  @Header('Content-Type', CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
