import type { Kysely, Migration } from 'kysely';

/**
 * One event per completed audit record, written in the transaction that completes it. `seq` is
 * the chain seq of the entry that completed the record (its outcome, or a denial's intent):
 * unique, and in commit order on every replica, since appends hold the chain's lock.
 */
export interface OutboxRow {
  seq: number;
  /** The event's id and webhook-id: the audit record's id (one event per record). */
  id: string;
  /** When the record was completed: an event older than EVENTS_MAX_AGE_HOURS is dead. */
  time: string;
  /** The CloudEvent, structured mode JSON, exactly as sent. */
  body: string;
}

/**
 * Each receiver's progress through the outbox and its lease. `receiver` is a hash of the URL
 * (the URL may carry a token). `delivered_seq`: every event up to it is delivered or dead.
 * Times are epoch milliseconds.
 */
export interface ReceiverRow {
  receiver: string;
  delivered_seq: number;
  /** Failed attempts at the event after delivered_seq; the next waits until next_attempt_at. */
  attempts: number;
  next_attempt_at: number;
  /** The replica sending to this receiver, until lease_until. */
  lease_owner: string | null;
  lease_until: number;
}

export type EventsDb = {
  event_outbox: OutboxRow;
  event_receivers: ReceiverRow;
};

/** Migration 0005 of the audit database: tables beside the chain, not part of it. */
export const eventOutboxMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('event_outbox')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('time', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('event_receivers')
      .addColumn('receiver', 'text', (c) => c.primaryKey())
      .addColumn('delivered_seq', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint', (c) => c.notNull())
      .execute();
  },
};
