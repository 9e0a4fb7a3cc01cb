import { Module } from '@nestjs/common';
import { GatewayDatabase } from './gateway-database';

/**
 * The gateway's one database connection (AUDIT_DATABASE_URL), shared by the audit chain and
 * the idempotency answers: both import this module, and Nest makes one GatewayDatabase for
 * them; each reaches only its own tables. Needs APP_CONFIG from ConfigModule.
 */
@Module({
  providers: [GatewayDatabase],
  exports: [GatewayDatabase],
})
export class DatabaseModule {}
