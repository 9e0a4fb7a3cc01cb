import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ArgumentsHost,
  Body,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  type INestApplication,
  type LoggerService,
  type ModuleMetadata,
  Param,
  Post,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_GUARD_PROVIDERS, AuthModule } from '../../../src/auth/auth.module';
import { CurrentPrincipal } from '../../../src/auth/current-principal.decorator';
import type { Principal } from '../../../src/auth/principal';
import { Public } from '../../../src/auth/public.decorator';
import { ConfigModule, loadConfigOrThrow } from '../../../src/config';
import { GatewayError, httpStatusFor } from '../../../src/errors';
import {
  DENIED_ATTEMPT_RECORDER,
  type DeniedAttempt,
  type DeniedAttemptRecorder,
} from '../../../src/rbac/denied-attempt';
import { RBAC_GUARD_PROVIDERS, RbacModule } from '../../../src/rbac/rbac.module';
import { AuditedAction, RequirePermission } from '../../../src/rbac/require-permission.decorator';

export const AUDIENCE = 'pam-gateway';

export const POLICY = `roles:
  session-operator: [session:terminate, session:read]
  session-viewer: [session:read]
`;

@Controller('t')
class ProbeController {
  @Public()
  @Get('public')
  open(): { ok: true } {
    return { ok: true };
  }

  @RequirePermission('session:read')
  @Get('whoami')
  whoami(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate')
  @Post('sessions/:id/terminate')
  terminate(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Body() _body: unknown,
  ) {
    return { sessionId: id, by: principal.id };
  }

  // Deliberately declares no permission: the RBAC guard must deny it.
  @Get('undeclared')
  undeclared(): { leaked: true } {
    return { leaked: true };
  }
}

/**
 * Stand-in for the gateway's problem-details filter: code → status, generic body. GraphQL
 * errors go back to Apollo as they are (graphql-js reports a returned Error as a field error).
 */
@Catch()
class GatewayErrorFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return err;
    const req = host.switchToHttp().getRequest<FastifyRequest & { requestId?: string }>();
    const res = host.switchToHttp().getResponse<FastifyReply>();
    if (err instanceof GatewayError) {
      void res
        .code(httpStatusFor(err.code))
        .send({ code: err.code, message: err.message, requestId: req.requestId });
    } else {
      void res
        .code(500)
        .send({ code: 'INTERNAL', message: 'Internal error', requestId: req.requestId });
    }
    return undefined;
  }
}

/** Records what the RBAC guard reports; `failWith` makes it throw like a broken audit store. */
export class FakeRecorder implements DeniedAttemptRecorder {
  readonly calls: DeniedAttempt[] = [];
  failWith?: Error;
  async recordDenied(attempt: DeniedAttempt): Promise<void> {
    this.calls.push(attempt);
    if (this.failWith) throw this.failWith;
  }
}

/**
 * Keeps every log line so tests can check what operators see (and that no token leaks). Nest's
 * static Logger follows the most recently created app, so all apps of a test file share one.
 */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private add(level: string, message: unknown, rest: unknown[]): void {
    this.lines.push(
      `${level} ${[message, ...rest].map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}`,
    );
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.add('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.add('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.add('warn', message, rest);
  }
  debug(): void {}
  verbose(): void {}
}

export const logs = new CapturingLogger();

export interface AuthTestApp {
  url: string;
  app: INestApplication;
  recorder: FakeRecorder;
  close(): Promise<void>;
}

export interface AuthTestAppOptions {
  env?: Record<string, string>;
  policy?: string;
  /** Contents of the API keys file; no file is configured when absent. */
  apiKeys?: string;
  /** Extra modules and providers (a GraphQL module and resolver, say). */
  imports?: ModuleMetadata['imports'];
  providers?: Provider[];
}

export function writeTempFile(name: string, contents: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pam-gw-auth-')), name);
  writeFileSync(file, contents);
  return file;
}

/** Builds the config the way main.ts does: from an environment, validated. */
export function testConfig(issuerUrl: string, opts: AuthTestAppOptions = {}) {
  return loadConfigOrThrow({
    PAM_CORE_URL: 'http://127.0.0.1:9',
    PAM_CORE_CLIENT_ID: 'unused',
    PAM_CORE_CLIENT_SECRET: 'unused',
    AUTH_ISSUER: issuerUrl,
    AUTH_AUDIENCE: AUDIENCE,
    RBAC_POLICY_FILE: writeTempFile('policy.yaml', opts.policy ?? POLICY),
    ...(opts.apiKeys !== undefined
      ? { AUTH_API_KEYS_FILE: writeTempFile('keys.yaml', opts.apiKeys) }
      : {}),
    ...opts.env,
  });
}

/**
 * A tiny app with the real AuthModule and RbacModule, guards registered globally in the
 * documented order, served on a free loopback port.
 */
export async function startAuthTestApp(
  issuerUrl: string,
  opts: AuthTestAppOptions = {},
): Promise<AuthTestApp> {
  const config = testConfig(issuerUrl, opts);
  const recorder = new FakeRecorder();
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), AuthModule, RbacModule, ...(opts.imports ?? [])],
    controllers: [ProbeController],
    providers: [
      ...AUTH_GUARD_PROVIDERS,
      ...RBAC_GUARD_PROVIDERS,
      // Provided outside RbacModule on purpose, as the audit module will be.
      { provide: DENIED_ATTEMPT_RECORDER, useValue: recorder },
      { provide: APP_FILTER, useClass: GatewayErrorFilter },
      ...(opts.providers ?? []),
    ],
  }).compile();
  // The HTTP platform production runs on (src/app.factory.ts).
  const adapter = new FastifyAdapter();
  adapter.getInstance().addHook('onRequest', (req, _reply, done) => {
    const given = req.headers['x-request-id'];
    (req as FastifyRequest & { requestId?: string }).requestId =
      typeof given === 'string' && given !== '' ? given : randomUUID();
    done();
  });
  const app = moduleRef.createNestApplication(adapter, { logger: logs });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, recorder, close: () => app.close() };
}
