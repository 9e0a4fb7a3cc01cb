import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { eventOutboxMigration } from '../events/event-tables';
import type { AuditStore } from './audit-store';

// Versioned, in code (no migration folder to ship). Never edit a released migration: add one.
function auditMigrations(dialect: AuditStore['dialect']): Record<string, Migration> {
  return {
    '0001_audit_chain': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('audit_chain')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('kind', 'text', (c) => c.notNull())
          // Unique: an intent is closed by at most one outcome entry, enforced by the database.
          .addColumn('ref_id', 'text', (c) => c.unique())
          .addColumn('time', 'text', (c) => c.notNull())
          .addColumn('alg', 'text', (c) => c.notNull())
          .addColumn('prev_hash', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('request_id', 'text')
          .addColumn('channel', 'text')
          .addColumn('actor_id', 'text')
          .addColumn('actor_kind', 'text')
          .addColumn('actor_name', 'text')
          .addColumn('actor_roles', 'text')
          .addColumn('actor_ip', 'text')
          .addColumn('actor_user_agent', 'text')
          .addColumn('action', 'text')
          .addColumn('session_id', 'text')
          .addColumn('reason', 'text')
          .addColumn('decision', 'text')
          .addColumn('error_code', 'text')
          .addColumn('parent_id', 'text')
          .addColumn('details', 'text')
          .addColumn('outcome', 'text')
          .addColumn('upstream_status', 'integer')
          .addColumn('upstream_message', 'text')
          .addColumn('upstream_duration_ms', 'integer')
          .execute();
        // Query filters (audit-query.ts); times are ISO 8601 UTC text, which sorts correctly.
        for (const col of ['session_id', 'actor_id', 'actor_name', 'time'] as const) {
          await db.schema
            .createIndex(`audit_chain_${col}_idx`)
            .on('audit_chain')
            .columns([col, 'seq'])
            .execute();
        }
      },
    },
    // Defence in depth: the application never updates or deletes, and now neither can a stray
    // UPDATE from a console. An owner can still drop these; the hash chain is what detects that.
    '0002_append_only_guards': {
      async up(db: Kysely<unknown>) {
        if (dialect === 'sqlite') {
          for (const op of ['update', 'delete']) {
            await sql
              .raw(
                `create trigger audit_chain_no_${op} before ${op} on audit_chain ` +
                  `begin select raise(abort, 'audit_chain is append-only'); end`,
              )
              .execute(db);
          }
          return;
        }
        await sql
          .raw(
            `create or replace function audit_chain_append_only() returns trigger language plpgsql as ` +
              `$$ begin raise exception 'audit_chain is append-only'; end $$`,
          )
          .execute(db);
        await sql
          .raw(
            'create trigger audit_chain_no_change before update or delete on audit_chain ' +
              'for each row execute function audit_chain_append_only()',
          )
          .execute(db);
        await sql
          .raw(
            'create trigger audit_chain_no_truncate before truncate on audit_chain ' +
              'for each statement execute function audit_chain_append_only()',
          )
          .execute(db);
      },
    },
    // Idempotency answers (sessions/idempotency.store.ts): a cache of answers beside the chain,
    // NOT part of it. Rows are updated and expire; the audit records stay the truth.
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
    // actor.username (issue 13): what ${principal.name} was bound to. Hashed only when set
    // (audit-entry.ts, LATER_COLUMNS), so entries written before this verify unchanged.
    '0004_actor_username': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('audit_chain').addColumn('actor_username', 'text').execute();
      },
    },
    // Audit events to webhooks (issue 15): the outbox and each receiver's progress.
    '0005_event_outbox': eventOutboxMigration,
  };
}

/** Brings the store's schema to the latest version; safe to run from several replicas at once. */
export async function migrateAuditStore(store: AuditStore): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: async () => auditMigrations(store.dialect),
  };
  const migrator = new Migrator({
    db: store.db,
    provider,
    // kysely looks for its bookkeeping tables in every schema unless told which one is ours.
    migrationTableSchema: store.schema,
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error('audit migration failed', { cause: error });
  }
}
