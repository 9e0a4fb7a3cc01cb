import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import type { Algorithm } from 'jsonwebtoken';
import * as passport from 'passport';
import { Strategy } from 'passport-jwt';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { GatewayError } from '../errors';
import { AuthRejection } from './auth-rejection';
import { bearerTokenFrom } from './bearer-token';
import {
  type ClaimNames,
  type Claims,
  type Identity,
  identityFromClaims,
} from './claims-principal';
import { type BeforeKeyFetch, SigningKeyService } from './signing-key.service';

/** What a verified bearer token yields. */
export interface VerifiedToken {
  identity: Identity;
  /** `exp`, in epoch milliseconds. */
  expiresAt: number;
}

/**
 * What passport-jwt is given: the headers (REST and GraphQL requests alike) and what to run
 * before the token makes the gateway fetch the issuer's keys.
 */
export interface TokenRequest {
  headers: IncomingHttpHeaders;
  beforeKeyFetch?: BeforeKeyFetch;
}
type Middleware = (req: TokenRequest, res: unknown, next: (err?: unknown) => void) => void;

// One passport instance per strategy object instead of the process-wide singleton: several
// Nest apps in one process (tests, the benchmark) must not overwrite each other's 'jwt'.
const passports = new WeakMap<object, passport.Authenticator>();

/**
 * Bearer JWT verification through passport-jwt: signature with the issuer's JWKS key,
 * asymmetric algorithm allow-list, exact `iss`, `aud`, `exp` (required), `nbf`, clock skew.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly claimNames: ClaimNames;
  private readonly issuer: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig, keys: SigningKeyService) {
    super({
      jwtFromRequest: (req: TokenRequest) => bearerTokenFrom(req.headers.authorization),
      secretOrKeyProvider: (
        req: TokenRequest,
        rawJwtToken: string,
        done: (err: unknown, key?: string) => void,
      ) => {
        // jsonwebtoken accepts a KeyObject (saves a PEM parse per token); the typings only
        // mention string | Buffer.
        keys.keyFor(rawJwtToken, req.beforeKeyFetch).then(
          (key) => done(null, key as unknown as string),
          (err: unknown) => done(err),
        );
      },
      algorithms: config.auth.algorithms as Algorithm[],
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: config.auth.clockSkewSeconds },
    });
    this.claimNames = {
      rolesClaim: config.auth.rolesClaim,
      usernameClaim: config.auth.usernameClaim,
    };
    this.issuer = config.auth.issuer;
  }

  /** Called by passport-jwt with the verified payload; enforces what jsonwebtoken leaves optional. */
  validate(payload: Claims): VerifiedToken {
    if (typeof payload.exp !== 'number') throw new AuthRejection('jwt rejected: no exp claim');
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new AuthRejection('jwt rejected: no sub claim');
    }
    // jsonwebtoken has checked `iss` equals AUTH_ISSUER; checked again here because the
    // principal's store key is built from it.
    if (payload.iss !== this.issuer) throw new AuthRejection('jwt rejected: issuer mismatch');
    return {
      identity: identityFromClaims(
        { ...payload, sub: payload.sub, iss: payload.iss },
        this.claimNames,
      ),
      expiresAt: payload.exp * 1000,
    };
  }

  /** Used by @nestjs/passport when registering this strategy under 'jwt'. */
  getPassportInstance(): passport.Authenticator {
    let instance = passports.get(this);
    if (!instance) {
      instance = new passport.Passport();
      passports.set(this, instance);
    }
    return instance;
  }

  /** Runs passport's authenticate('jwt') on the request (REST or GraphQL alike). */
  verify(req: TokenRequest): Promise<VerifiedToken> {
    return new Promise<VerifiedToken>((resolve, reject) => {
      const middleware = this.getPassportInstance().authenticate(
        'jwt',
        { session: false },
        (err: unknown, user: VerifiedToken | false | undefined, info: unknown) => {
          if (err !== null && err !== undefined) reject(toRejection(err));
          else if (user) resolve(user);
          else reject(toRejection(info));
        },
      ) as Middleware;
      // With a callback, passport answers nothing itself: there is no response to give it.
      middleware(req, undefined, (err?: unknown) =>
        reject(toRejection(err ?? 'passport did not authenticate')),
      );
    });
  }
}

/**
 * Maps passport-jwt / jsonwebtoken failures to an operator-readable reason. A GatewayError
 * (RATE_LIMITED from beforeKeyFetch) is the answer itself and passes through.
 */
function toRejection(failure: unknown): AuthRejection | GatewayError {
  if (failure instanceof AuthRejection || failure instanceof GatewayError) return failure;
  if (!(failure instanceof Error)) return new AuthRejection(`jwt rejected: ${String(failure)}`);
  const msg = failure.message;
  if (failure.name === 'TokenExpiredError') return new AuthRejection('jwt rejected: expired');
  if (failure.name === 'NotBeforeError')
    return new AuthRejection('jwt rejected: not yet valid (nbf)');
  if (msg.startsWith('jwt audience invalid'))
    return new AuthRejection('jwt rejected: audience mismatch');
  if (msg.startsWith('jwt issuer invalid'))
    return new AuthRejection('jwt rejected: issuer mismatch');
  if (msg === 'invalid signature') return new AuthRejection('jwt rejected: invalid signature');
  if (msg === 'invalid algorithm') return new AuthRejection('jwt rejected: algorithm not allowed');
  if (msg === 'jwt malformed' || msg === 'invalid token')
    return new AuthRejection('jwt rejected: malformed');
  if (msg === 'No auth token') return new AuthRejection('jwt rejected: no bearer token');
  // Other jsonwebtoken messages name the failed check, never the token.
  return new AuthRejection(`jwt rejected: ${msg}`);
}
