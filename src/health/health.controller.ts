import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { AuditService } from '../audit/audit.service';
import { Public } from '../auth/public.decorator';
import { PamCoreClient } from '../pam-core';

/** Readiness answers within this bound even when Segura or the store hangs. */
export const READY_CHECK_TIMEOUT_MS = 2500;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e?.code === 'string'
    ? e.code
    : typeof e?.message === 'string'
      ? e.message
      : 'failed';
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly audit: AuditService,
    private readonly pamCore: PamCoreClient,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @Public()
  @HealthCheck()
  @ApiOperation({ operationId: 'liveness', summary: 'The process is up and serving HTTP' })
  live() {
    return this.health.check([]);
  }

  /** Configuration loaded (we are running), audit store writable, PAM Core's token endpoint answering. */
  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiOperation({
    operationId: 'readiness',
    summary: 'Audit store writable and PAM Core answering (503 names what is down)',
  })
  async ready(@Res({ passthrough: true }) res: FastifyReply) {
    try {
      return await this.health.check([
        () => this.probe('audit', () => this.audit.checkWritable()),
        () => this.probe('pamCore', () => this.pamCore.checkReachable()),
      ]);
    } catch (err) {
      // Terminus reports "down" as a 503 exception; the global problem-details filter would
      // turn that into a bare 500, hiding which dependency is down. Answer it here.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.code(503);
      return err.getResponse();
    }
  }

  private async probe(key: 'audit' | 'pamCore', check: () => Promise<void>) {
    const session = this.indicators.check(key);
    try {
      await within(READY_CHECK_TIMEOUT_MS, check());
      return session.up();
    } catch (err) {
      return session.down({ reason: reasonOf(err) });
    }
  }
}
