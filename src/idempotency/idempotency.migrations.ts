import type { Kysely, Migration } from 'kysely';

/**
 * The idempotency answers' table, beside the audit chain in the same database and NOT part of
 * it: rows are updated and expire; the audit records stay the truth. Released as the gateway's
 * third migration, and its name stays: kysely refuses a database that recorded a migration it
 * is no longer given. Never edit it: add one.
 */
export const idempotencyMigrations: Record<string, Migration> = {
  '0003_idempotency_keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        // SHA-256 (hex) of the canonical request: the same key with another request is refused.
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        // 'pending' while the first request runs (the reservation), then 'done'.
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('response', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'key'])
        .execute();
      await db.schema
        .createIndex('idempotency_keys_expires_at_idx')
        .on('idempotency_keys')
        .column('expires_at')
        .execute();
    },
  },
};
