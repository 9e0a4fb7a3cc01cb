import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { GatewayError } from '../errors';
import { openDatabase, type Database } from './database';
import { migrateDatabase } from './database-migrations';

/** Optional tuning; the defaults suit production. */
export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

export interface GatewayDatabaseOptions {
  /** SQLite only: wait for another process's write lock this long before failing. */
  busyTimeoutMs?: number;
}

/**
 * The one connection to AUDIT_DATABASE_URL, opened and migrated once for all its users (the
 * audit chain, the idempotency answers), each of which awaits `open()` in its own
 * onModuleInit. Closed at application shutdown, after every module's onModuleDestroy, so the
 * audit writer has drained its queue by then.
 */
@Injectable()
export class GatewayDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private opening: Promise<Database> | null = null;
  private database: Database | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'audit'>,
    @Optional() @Inject(DATABASE_OPTIONS) private readonly options: GatewayDatabaseOptions = {},
  ) {}

  /** Opens and migrates the database on the first call; AUDIT_UNAVAILABLE when it cannot. */
  open(): Promise<Database> {
    this.opening ??= this.connect().catch((err: unknown) => {
      this.opening = null;
      throw err;
    });
    return this.opening;
  }

  /** Closes the connection; open() opens it again. */
  async close(): Promise<void> {
    const database = this.database;
    this.database = null;
    this.opening = null;
    await database?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async connect(): Promise<Database> {
    let database: Database | undefined;
    try {
      database = await openDatabase(this.config.audit.databaseUrl, {
        busyTimeoutMs: this.options.busyTimeoutMs,
        onBackgroundError: (err) =>
          this.logger.error(`audit database connection failed: ${err.message}`),
      });
      await migrateDatabase(database);
    } catch (err) {
      // The URL may hold a password: the message names the setting, never its value.
      this.logger.error(
        `cannot open the audit store: ${err instanceof Error ? err.message : String(err)}`,
      );
      await database?.close().catch(() => undefined);
      throw new GatewayError(
        'AUDIT_UNAVAILABLE',
        'The audit store (AUDIT_DATABASE_URL) cannot be opened',
        { cause: err },
      );
    }
    this.database = database;
    return database;
  }
}
