import type { Kysely } from 'kysely';
import { toAuditRecord, type AuditDb } from '../audit/audit-entry';
import type { AuditRecord } from '../audit/audit.types';
import type { AppendResult } from '../audit/chain-seal';
import type { EventsDb, OutboxRow } from './event-tables';

/** Injection token of the {@link EventOutbox}; absent when events are off. */
export const EVENT_OUTBOX = Symbol('EVENT_OUTBOX');

/** Reads leave a record but no event. */
const NO_EVENT: ReadonlySet<string> = new Set(['session.read', 'audit.read']);

// Bounded so one INSERT stays far below the databases' bind-parameter limits (4 per row).
const INSERT_CHUNK = 500;

/** The CloudEvents 1.0 structured-mode JSON for one complete audit record. */
export function cloudEventOf(record: AuditRecord, instance: string): string {
  return JSON.stringify({
    specversion: '1.0',
    id: record.id,
    source: `urn:pam-gateway:${instance}`,
    type: `pam-gateway.${record.action}`,
    time: record.time,
    ...(record.sessionId === null ? {} : { subject: record.sessionId }),
    datacontenttype: 'application/json',
    data: record,
  });
}

/**
 * What the chain writer adds to each append transaction when events are on: one outbox row per
 * record the transaction completes (README, "Events to webhooks"). A termination completes
 * with its outcome (startup recovery's `unknown` ones too); a denied or invalid attempt when
 * written; reads never.
 */
export class EventOutbox {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly instance: string) {}

  /** The outbox rows for appends committed together, in chain order. */
  rowsFor(appends: readonly AppendResult[]): OutboxRow[] {
    const out: OutboxRow[] = [];
    for (const { rows, closed } of appends) {
      for (const row of rows) {
        const intent = row.ref_id === null ? row : closed.get(row.ref_id);
        if (!intent || NO_EVENT.has(intent.action ?? '')) continue;
        // An allowed intent waits for its outcome; anything else is complete when written.
        if (row.ref_id === null && row.decision === 'allowed') continue;
        const record = toAuditRecord(intent, row === intent ? null : row);
        out.push({
          seq: row.seq,
          id: record.id,
          time: row.time,
          body: cloudEventOf(record, this.instance),
        });
      }
    }
    return out;
  }

  /** Writes `rows` in the caller's transaction (the append's own). */
  async insert(trx: Kysely<AuditDb>, rows: readonly OutboxRow[]): Promise<void> {
    const db = trx as unknown as Kysely<EventsDb>;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await db
        .insertInto('event_outbox')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }

  /** Called after every append commit: wakes this process's deliveries. */
  written(): void {
    for (const l of this.listeners) l();
  }

  /** `listener` runs after each commit; returns its removal. */
  onWritten(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
