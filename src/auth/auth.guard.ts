import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { recordable } from '../audit/audit-text';
import { GatewayError } from '../errors';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { ApiKeyService } from './api-key.service';
import { AuthRejection } from './auth-rejection';
import { bearerTokenFrom } from './bearer-token';
import type { Identity } from './claims-principal';
import { JwtAuthService } from './jwt-auth.service';
import { IS_PUBLIC_KEY } from './public.decorator';
import type { BeforeKeyFetch } from './signing-key.service';
import { type GatewayRequest, getHttpRequest } from './request-context';

/**
 * First global guard: establishes `req.principal` for every route and resolver field not
 * marked @Public(). Credentials: `Authorization: Bearer <jwt>` or `X-Api-Key: <key>`; sending
 * both is refused as ambiguous rather than guessing which one the caller meant. Every failure
 * gives the caller the same UNAUTHENTICATED answer; the reason goes to the log.
 *
 * Credentials that fail are counted per client IP (RATE_LIMIT_AUTH_FAILURES_PER_MINUTE). Past
 * the limit that address's failures are answered RATE_LIMITED instead, and its tokens may not
 * make the gateway fetch the issuer's keys; credentials that verify are never refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);
  // One outcome per HTTP request: GraphQL runs the guard once per root field, and one request
  // is one authentication (one failure counted, one log line).
  private readonly outcomes = new WeakMap<object, Promise<Identity>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtAuthService,
    private readonly apiKeys: ApiKeyService,
    private readonly limits: RateLimitService,
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
    let outcome = this.outcomes.get(req);
    if (!outcome) {
      outcome = this.authenticate(req);
      this.outcomes.set(req, outcome);
    }
    const identity = await outcome;
    req.principal = {
      id: identity.id,
      key: identity.key,
      kind: identity.kind,
      name: identity.name,
      ...(identity.username !== undefined && { username: identity.username }),
      roles: [...identity.roles],
      ip: req.ip ?? req.socket?.remoteAddress ?? 'unknown',
      userAgent: userAgentOf(req),
    };
    return true;
  }

  private async authenticate(req: GatewayRequest): Promise<Identity> {
    // The address the per-IP limits use (IpRateLimitGuard): the client's, behind TRUST_PROXY.
    const ip = req.ip ?? 'unknown';
    try {
      return await this.identify(req, () => this.limits.check('auth-failure', ip));
    } catch (err) {
      if (err instanceof GatewayError) {
        // RATE_LIMITED before a key fetch: this address has used up its failures.
        this.logger.warn(
          `token refused before a JWKS fetch: too many failed authentications from ${ip} (requestId=${req.requestId})`,
        );
        throw err;
      }
      const reason = err instanceof AuthRejection ? err.reason : undefined;
      if (reason === undefined) {
        this.logger.error(
          `authentication failed unexpectedly (requestId=${req.requestId})`,
          err instanceof Error ? err.stack : String(err),
        );
      }
      // No credentials at all costs nothing to refuse and is not counted.
      if (hasCredentials(req)) {
        try {
          await this.limits.consume('auth-failure', ip);
        } catch (limited) {
          this.logger.warn(
            `${reason ?? 'authentication failed'}; too many failed authentications from ${ip}, answered RATE_LIMITED (requestId=${req.requestId})`,
          );
          throw limited;
        }
      }
      if (reason !== undefined) this.logger.warn(`${reason} (requestId=${req.requestId})`);
      throw unauthenticated();
    }
  }

  private async identify(req: GatewayRequest, beforeKeyFetch: BeforeKeyFetch): Promise<Identity> {
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
    return this.jwt.authenticate(req, token, beforeKeyFetch);
  }
}

function hasCredentials(req: GatewayRequest): boolean {
  return (
    present(req.headers.authorization) !== undefined ||
    present(req.headers['x-api-key']) !== undefined
  );
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
  // Bounded and printable as the audit record keeps it (audit-text.ts).
  return ua === undefined || ua === '' ? undefined : recordable(ua, 'userAgent');
}
