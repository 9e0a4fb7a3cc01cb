import { Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { undiciHttpModule } from '../http';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { ApiKeyService } from './api-key.service';
import { AuthGuard } from './auth.guard';
import { ISSUER_TRANSPORT } from './issuer-http';
import { JwtAuthService } from './jwt-auth.service';
import { JwtStrategy } from './jwt.strategy';
import { SigningKeyService } from './signing-key.service';

/** Authentication: bearer JWTs (OIDC issuer) and service keys. Needs ConfigModule.forRoot. */
@Module({
  // Failed authentications are counted per IP (the module is global; imported for apps that
  // use AuthModule alone). The issuer's HttpService (discovery, JWKS) is the module's own.
  imports: [RateLimitModule, undiciHttpModule(() => ISSUER_TRANSPORT)],
  providers: [SigningKeyService, JwtStrategy, JwtAuthService, ApiKeyService, AuthGuard],
  exports: [AuthGuard, JwtAuthService, ApiKeyService, SigningKeyService],
})
export class AuthModule {}

/**
 * Registers the module's AuthGuard instance as a global guard. Put it in the root module's
 * providers before RBAC_GUARD_PROVIDERS: global guards run in registration order.
 */
export const AUTH_GUARD_PROVIDERS: Provider[] = [{ provide: APP_GUARD, useExisting: AuthGuard }];
