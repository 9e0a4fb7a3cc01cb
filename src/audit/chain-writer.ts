import type { Kysely } from 'kysely';
import type { EventOutbox } from '../events/event-outbox';
import { GENESIS_HASH } from './audit-hash';
import type { AuditDb, ChainRow, EntryDraft } from './audit-entry';
import type { AuditStore } from './audit-store';
import {
  accepted,
  knownAfter,
  sealBatch,
  sealedRows,
  type AppendResult,
  type Head,
  type Known,
  type Pending,
  type Sealed,
} from './chain-seal';
import type { SqliteAppendThread } from './sqlite-append-thread';

// Bounded so one INSERT stays far below SQLite's and PostgreSQL's bind-parameter limits.
const MAX_BATCH_ENTRIES = 500;
const INSERT_CHUNK = 400;
// Only another process appending to the same SQLite file moves the head under us; give up
// (AUDIT_UNAVAILABLE) rather than spin if it never stops.
const MAX_HEAD_MOVES = 10;

/**
 * Appends entries to the chain with group commit: appends that arrive while a transaction is
 * in flight wait and go together into the next one (one fsync, one advisory lock for many).
 * Each caller's promise settles only after its own transaction has committed or failed.
 */
export class ChainWriter {
  private queue: Pending[] = [];
  private loop: Promise<void> | null = null;
  private closing = false;
  /** SQLite files only (commitInThread); null until a commit proves it, and after any doubt. */
  private known: Known | null = null;

  constructor(
    private readonly store: AuditStore,
    private readonly hmacKey: string | undefined,
    /** Events on: each transaction also writes the outbox rows of the records it completes. */
    private readonly outbox?: EventOutbox,
  ) {}

  /** Appends `drafts` as one unit: all of them are committed, or none. */
  append(drafts: EntryDraft[]): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new Error('audit store is shutting down'));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ drafts, resolve, reject });
      this.loop ??= this.run();
    });
  }

  /** Waits for queued appends to settle and refuses new ones. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.loop) await this.loop;
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // Yield a full event-loop turn before each transaction, so requests that arrived
        // meanwhile reach their append and join it. better-sqlite3 commits synchronously:
        // without this, every append under load got its own fsync (measured: 2 per request).
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.commit(this.take());
      }
    } finally {
      this.loop = null;
    }
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let entries = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (batch.length > 0 && entries + next.drafts.length > MAX_BATCH_ENTRIES) break;
      batch.push(next);
      entries += next.drafts.length;
      this.queue.shift();
    }
    return batch;
  }

  /** Never throws: every pending append of the batch is settled. */
  private async commit(batch: Pending[]): Promise<void> {
    let outcomes: Sealed[];
    try {
      outcomes = this.store.appendThread
        ? await this.commitInThread(batch, this.store.appendThread)
        : await this.store.withAppendLock(async (trx) => {
            const sealed = await this.sealAgainst(trx, batch, await this.head(trx));
            const rows = sealedRows(sealed);
            for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
              await trx
                .insertInto('audit_chain')
                .values(rows.slice(i, i + INSERT_CHUNK))
                .execute();
            }
            await this.outbox?.insert(trx, this.outbox.rowsFor(accepted(sealed)));
            return sealed;
          });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    this.outbox?.written();
    for (const o of outcomes) {
      if ('ok' in o) o.p.resolve(o.ok);
      else o.p.reject(o.error);
    }
  }

  /**
   * SQLite files: the chain state is read here (WAL readers do not wait for the writer) and the
   * rows are sealed here; the thread commits them only if the head is still the one they were
   * sealed against, so nothing read outside its write lock can go stale unnoticed. A head moved
   * by another writer (another process on the same file) means: read again and seal again.
   *
   * After a commit the writer knows the new head and its own still-open intents (Known), so the
   * next batch is sealed without reading them; the same head check is what makes that safe.
   */
  private async commitInThread(batch: Pending[], thread: SqliteAppendThread): Promise<Sealed[]> {
    for (let attempt = 1; ; attempt++) {
      // Taken out for this attempt, put back only if it commits (updated) or writes nothing:
      // after a moved head or a failure (reading, sealing, the thread) the writer reads again.
      const known = this.known;
      this.known = null;
      const head = known?.head ?? (await this.head(this.store.db));
      const open = known?.open ?? new Map<string, ChainRow>();
      const sealed = await this.sealAgainst(this.store.db, batch, head, open);
      const rows = sealedRows(sealed);
      if (rows.length === 0) {
        this.known = known;
        return sealed;
      }
      const answer = await thread.append(rows, head, this.outbox?.rowsFor(accepted(sealed)));
      if (answer === 'committed') {
        this.known = knownAfter(open, sealed, rows[rows.length - 1]);
        return sealed;
      }
      if (attempt >= MAX_HEAD_MOVES) {
        throw new Error('the audit chain head kept moving under the append (another writer?)');
      }
    }
  }

  private async head(db: Kysely<AuditDb>): Promise<Head> {
    const head = await db
      .selectFrom('audit_chain')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return { seq: head ? Number(head.seq) : 0, hash: head?.hash ?? GENESIS_HASH };
  }

  /**
   * Reads the intents the batch refers to and seals the batch after `head`. With `known` (the
   * thread path), intents known to be allowed and open are not read, and neither are ids the
   * batch writes itself (an intent and its outcome in one append): no row can refer to those yet.
   */
  private async sealAgainst(
    db: Kysely<AuditDb>,
    batch: Pending[],
    head: Head,
    known?: ReadonlyMap<string, ChainRow>,
  ): Promise<Sealed[]> {
    let refs = [
      ...new Set(batch.flatMap((p) => p.drafts.map((d) => d.ref_id)).filter((r) => r !== null)),
    ];
    if (known) {
      const own = new Set(batch.flatMap((p) => p.drafts.map((d) => d.id)));
      refs = refs.filter((r) => !known.has(r) && !own.has(r));
    }
    const intents = new Map<string, ChainRow>();
    const closed = new Set<string>();
    if (refs.length > 0) {
      const rows = await db
        .selectFrom('audit_chain')
        .selectAll()
        .where((eb) => eb.or([eb('id', 'in', refs), eb('ref_id', 'in', refs)]))
        .execute();
      for (const r of rows) {
        if (r.kind === 'intent') intents.set(r.id, r);
        if (r.ref_id !== null) closed.add(r.ref_id);
      }
    }
    return sealBatch(batch, head, { intents, closed }, this.hmacKey, known);
  }
}
