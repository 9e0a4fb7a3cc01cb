import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import { auditMigrations } from '../audit/audit-migrations';
import { eventOutboxMigration } from '../events/event-tables';
import { idempotencyMigrations } from '../idempotency/idempotency.migrations';
import type { Database, DatabaseDialect } from './database';

/**
 * Every table's migrations, one list for the one database. kysely applies them in name order
 * and refuses a database that recorded a migration missing here, so each module keeps its
 * released names (0001, 0002 and 0004 the audit chain's, 0003 the idempotency answers', 0005
 * the event outbox's) and a
 * new migration takes the next free number.
 */
export function databaseMigrations(dialect: DatabaseDialect): Record<string, Migration> {
  const all: Record<string, Migration> = {};
  const events = { '0005_event_outbox': eventOutboxMigration };
  for (const part of [auditMigrations(dialect), idempotencyMigrations, events]) {
    for (const [name, migration] of Object.entries(part)) {
      if (name in all) throw new Error(`two migrations are named ${name}`);
      all[name] = migration;
    }
  }
  return all;
}

/** Brings the schema to the latest version; safe to run from several replicas at once. */
export async function migrateDatabase(
  database: Database,
  migrations: Record<string, Migration> = databaseMigrations(database.dialect),
): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({
    db: database.db,
    provider,
    // kysely looks for its bookkeeping tables in every schema unless told which one is ours.
    migrationTableSchema: database.schema,
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error('database migration failed', { cause: error });
  }
}
