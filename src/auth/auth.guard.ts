import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GatewayError } from '../errors';
import { ApiKeyService } from './api-key.service';
import { AuthRejection } from './auth-rejection';
import { bearerTokenFrom } from './bearer-token';
import type { Identity } from './claims-principal';
import { JwtAuthService } from './jwt-auth.service';
import { IS_PUBLIC_KEY } from './public.decorator';
import { type GatewayRequest, getHttpRequest } from './request-context';

const MAX_USER_AGENT = 256;

/**
 * First global guard: establishes `req.principal` for every route and resolver field not
 * marked @Public(). Credentials: `Authorization: Bearer <jwt>` or `X-Api-Key: <key>`; sending
 * both is refused as ambiguous rather than guessing which one the caller meant. Every failure
 * gives the caller the same UNAUTHENTICATED answer; the reason goes to the log.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtAuthService,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (isPublic) return true;

    const req = getHttpRequest(ctx) as GatewayRequest | undefined;
    if (!req) {
      this.logger.error('no HTTP request in the execution context; refusing');
      throw unauthenticated();
    }
    try {
      const identity = await this.identify(req);
      req.principal = {
        id: identity.id,
        kind: identity.kind,
        name: identity.name,
        roles: [...identity.roles],
        ip: req.ip ?? req.socket?.remoteAddress ?? 'unknown',
        userAgent: userAgentOf(req),
      };
      return true;
    } catch (err) {
      if (err instanceof AuthRejection) {
        this.logger.warn(`${err.reason} (requestId=${req.requestId})`);
      } else {
        this.logger.error(
          `authentication failed unexpectedly (requestId=${req.requestId})`,
          err instanceof Error ? err.stack : String(err),
        );
      }
      throw unauthenticated();
    }
  }

  private async identify(req: GatewayRequest): Promise<Identity> {
    const authorization = present(req.headers.authorization);
    const apiKey = present(req.headers['x-api-key']);
    if (authorization !== undefined && apiKey !== undefined) {
      throw new AuthRejection('both Authorization and X-Api-Key sent (ambiguous)');
    }
    if (apiKey !== undefined) {
      if (!this.apiKeys.enabled)
        throw new AuthRejection('X-Api-Key sent but no API keys are configured');
      const identity = this.apiKeys.identify(apiKey);
      if (!identity) throw new AuthRejection('api key rejected: unknown key');
      return identity;
    }
    if (authorization === undefined) throw new AuthRejection('no credentials');
    const token = bearerTokenFrom(authorization);
    if (token === null) throw new AuthRejection('Authorization is not "Bearer <jwt>"');
    return this.jwt.authenticate(req, token);
  }
}

function unauthenticated(): GatewayError {
  return new GatewayError('UNAUTHENTICATED', 'Authentication required');
}

/** A header's value, treating absent, empty and repeated-empty the same; repeats are joined. */
function present(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value.join(',') : value;
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function userAgentOf(req: GatewayRequest): string | undefined {
  const ua = req.headers['user-agent'];
  return ua === undefined || ua === '' ? undefined : ua.slice(0, MAX_USER_AGENT);
}
