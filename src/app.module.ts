import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AuditModule } from './audit/audit.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import type { AppConfig } from './config';
import { ConfigModule } from './config';
import { formatGraphqlError, requestIdPlugin } from './observability/graphql-errors';
import { loggerParams } from './observability/logger.options';
import { ProblemDetailsFilter } from './observability/problem-details.filter';
import { RbacGuard } from './rbac/rbac.guard';
import { RbacModule } from './rbac/rbac.module';
import { SessionsModule } from './sessions/sessions.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './observability/metrics.module';
import { IpRateLimitGuard } from './rate-limit/ip-rate-limit.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';

export interface AppModuleOptions {
  /** Where JSON log lines go (tests capture them); stdout by default. */
  logStream?: DestinationStream;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    const production = config.env === 'production';
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
          plugins: [requestIdPlugin],
          context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
        }),
        MetricsModule.forRoot(config.metricsPublic),
        RateLimitModule,
        AuthModule,
        RbacModule,
        AuditModule,
        SessionsModule,
        HealthModule,
      ],
      providers: [
        // Order matters: flood control per IP, who is calling, then what they may do.
        { provide: APP_GUARD, useExisting: IpRateLimitGuard },
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: RbacGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
