import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AuditModule } from './audit/audit.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { MeModule } from './auth/me.module';
import { ConsoleModule } from './console/console.module';
import type { AppConfig } from './config';
import { ConfigModule } from './config';
import { EventsModule } from './events/events.module';
import { formatGraphqlError, requestIdPlugin } from './observability/graphql-errors';
import { graphqlLimits } from './observability/graphql-limits';
import { loggerParams } from './observability/logger.options';
import { ProblemDetailsFilter } from './observability/problem-details.filter';
import { RbacGuard } from './rbac/rbac.guard';
import { RbacModule } from './rbac/rbac.module';
import { SessionsModule } from './sessions/sessions.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './observability/metrics.module';
import { PAM_CORE_POLICY_OPTIONS, type PamCorePolicyOptions } from './pam-core/pam-core.policy';
import { IpRateLimitGuard } from './rate-limit/ip-rate-limit.guard';
import { PrincipalRateLimitGuard } from './rate-limit/principal-rate-limit.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';

export interface AppModuleOptions {
  /** Where JSON log lines go (tests capture them); stdout by default. */
  logStream?: DestinationStream;
  /** PAM Core resilience numbers (breaker, retries); production uses the defaults. */
  pamCorePolicy?: PamCorePolicyOptions;
}

/** Makes the policy override visible to PamCoreClient wherever PamCoreModule is imported. */
@Global()
@Module({})
class PamCorePolicyModule {
  static forRoot(options: PamCorePolicyOptions): DynamicModule {
    return {
      module: PamCorePolicyModule,
      providers: [{ provide: PAM_CORE_POLICY_OPTIONS, useValue: options }],
      exports: [PAM_CORE_POLICY_OPTIONS],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    const production = config.env === 'production';
    const limits = graphqlLimits(production);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, options.logStream)),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          // Schema built in memory; schema.gql is written by `npm run schema:write` and a test
          // fails when the committed file and the code disagree.
          autoSchemaFile: true,
          sortSchema: true,
          introspection: !production,
          playground: false,
          graphiql: !production,
          csrfPrevention: true,
          allowBatchedHttpRequests: false,
          includeStacktraceInErrorResponses: false,
          formatError: formatGraphqlError,
          validationRules: limits.validationRules,
          plugins: [
            requestIdPlugin,
            ...limits.plugins,
            // Apollo installs these unless told not to: per-field cache hints for a schema that
            // has none (the answer is always no-store, set by requestIdPlugin), and federation
            // traces for a schema that is no subgraph. Both cost time on every request.
            ApolloServerPluginCacheControlDisabled(),
            ApolloServerPluginInlineTraceDisabled(),
          ],
          // @as-integrations/fastify calls it with Fastify's request and reply.
          context: (req: unknown, res: unknown) => ({ req, res }),
        }),
        MetricsModule.forRoot(config.metricsPublic),
        RateLimitModule,
        AuthModule,
        RbacModule,
        AuditModule,
        ...(config.events ? [EventsModule.forRoot()] : []),
        SessionsModule,
        MeModule,
        HealthModule,
        ConsoleModule.forRoot(config),
        ...(options.pamCorePolicy ? [PamCorePolicyModule.forRoot(options.pamCorePolicy)] : []),
      ],
      providers: [
        // Order matters: flood control per IP, who is calling, their allowance (so denied and
        // invalid attempts count too), then what they may do.
        { provide: APP_GUARD, useExisting: IpRateLimitGuard },
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: PrincipalRateLimitGuard },
        { provide: APP_GUARD, useExisting: RbacGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
