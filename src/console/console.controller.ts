import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/public.decorator';
import type { AppConfig } from '../config';
import { APP_CONFIG } from '../config/config.module';
import { GatewayError } from '../errors';
import { CACHE_IMMUTABLE, CACHE_REVALIDATE, consoleCsp } from './console-headers';
import { type ConsoleFile } from './console-files';

export const CONSOLE_FILES = Symbol('CONSOLE_FILES');

/** What the page needs to sign in, from the gateway's own configuration. */
export interface ConsoleConfig {
  issuer: string;
  clientId: string;
  scopes: string;
}

/**
 * The operator console: a single-page app with its own sign-in, so every file is public; the
 * data it shows comes from /graphql with the user's token. Client routes (/console/sessions/…)
 * answer index.html; a missing file with an extension answers 404.
 */
@Controller('console')
@Public()
@ApiExcludeController()
export class ConsoleController {
  private readonly csp: string;
  private readonly config: ConsoleConfig;

  constructor(
    @Inject(APP_CONFIG) app: AppConfig,
    @Inject(CONSOLE_FILES) private readonly files: Map<string, ConsoleFile> | null,
  ) {
    this.csp = consoleCsp(app.auth.issuer);
    this.config = {
      issuer: app.auth.issuer,
      clientId: app.console.clientId ?? '',
      scopes: app.console.scopes,
    };
  }

  @Get('config.json')
  configJson(@Res() reply: FastifyReply): void {
    void this.secure(reply)
      .header('Cache-Control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(this.config));
  }

  @Get()
  index(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    this.send(req, reply, 'index.html');
  }

  @Get('*')
  file(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const path = pathOf(req.url);
    if (path !== undefined && this.files?.has(path)) return this.send(req, reply, path);
    // A file name (it has an extension) that is not in the build: 404, never the page.
    if (path === undefined || /\.[A-Za-z0-9]+$/.test(path)) throw notFound();
    this.send(req, reply, 'index.html');
  }

  private send(req: FastifyRequest, reply: FastifyReply, path: string): void {
    const file = this.files?.get(path);
    if (!file) throw notFound();
    this.secure(reply)
      .header('Cache-Control', file.immutable ? CACHE_IMMUTABLE : CACHE_REVALIDATE)
      .header('ETag', file.etag)
      .type(file.type);
    if (req.headers['if-none-match'] === file.etag) return void reply.code(304).send();
    void reply.send(file.body);
  }

  private secure(reply: FastifyReply): FastifyReply {
    return reply
      .header('Content-Security-Policy', this.csp)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
      .header('Cross-Origin-Opener-Policy', 'same-origin');
  }
}

/** The request path below /console/, decoded; undefined when it cannot name a build file. */
function pathOf(url: string): string | undefined {
  const raw = url.split('?')[0].replace(/^\/console\/?/, '');
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (path.length > 512 || path.split('/').some((s) => s === '..' || s === '.')) return undefined;
  return path.replace(/\/+$/, '');
}

function notFound(): GatewayError {
  return new GatewayError('NOT_FOUND', 'Not found');
}
