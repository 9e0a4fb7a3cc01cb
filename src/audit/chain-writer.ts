import { GENESIS_HASH } from './audit-hash';
import type { Kysely } from 'kysely';
import type { EventOutbox } from '../events/event-outbox';
import { sealEntry, type AuditDb, type ChainRow, type EntryDraft } from './audit-entry';
import type { AuditStore } from './audit-store';
import type { SqliteAppendThread } from './sqlite-append-thread';
import { AuditStateError, type AppendResult } from './chain-types';

export { AuditStateError, type AppendResult } from './chain-types';

type Sealed = { p: Pending; ok: AppendResult } | { p: Pending; error: Error };

const accepted = (sealed: Sealed[]): AppendResult[] =>
  sealed.flatMap((o) => ('ok' in o ? [o.ok] : []));
const sealedRows = (sealed: Sealed[]): ChainRow[] => accepted(sealed).flatMap((r) => r.rows);

interface Pending {
  drafts: EntryDraft[];
  resolve: (r: AppendResult) => void;
  reject: (err: unknown) => void;
}

// Bounded so one INSERT stays far below SQLite's and PostgreSQL's bind-parameter limits.
const MAX_BATCH_ENTRIES = 500;
const INSERT_CHUNK = 400;
// Only another process appending to the same SQLite file moves the head under us; give up
// (AUDIT_UNAVAILABLE) rather than spin if it never stops.
const MAX_HEAD_MOVES = 10;
// Open intents a writer remembers (see Known); the oldest beyond this is forgotten, and read
// from the database again if it is ever closed.
export const MAX_KNOWN_OPEN = 4096;

type Head = { seq: number; hash: string };

/**
 * What the SQLite writer knows of the chain without reading it: the head its own last commit
 * left, and the allowed intents it committed that have no outcome yet. True as long as every
 * entry appended since was its own; the thread's head check proves that at each commit, and
 * anything else (head moved, an error) drops it all.
 */
interface Known {
  head: Head;
  /** Allowed intents this writer committed and nobody has closed, oldest first. */
  open: Map<string, ChainRow>;
}

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
  /** Counts for tests and metrics: how many transactions carried how many entries. */
  readonly stats = { transactions: 0, entries: 0 };

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
    this.stats.transactions += 1;
    this.outbox?.written();
    for (const o of outcomes) {
      if ('ok' in o) {
        this.stats.entries += o.ok.rows.length;
        o.p.resolve(o.ok);
      } else {
        o.p.reject(o.error);
      }
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
    return this.seal(batch, head.seq, head.hash, { intents, closed }, known);
  }

  /**
   * Gives each acceptable append its seqs and hashes; refuses an append whose outcome is invalid.
   * `state`: what was read, updated as appends are accepted; `known`: allowed intents known open.
   */
  private seal(
    batch: Pending[],
    lastSeq: number,
    lastHash: string,
    state: { intents: Map<string, ChainRow>; closed: Set<string> },
    known?: ReadonlyMap<string, ChainRow>,
  ): Sealed[] {
    const time = new Date().toISOString();
    let seq = lastSeq;
    let prev = lastHash;
    return batch.map((p) => {
      const rows: ChainRow[] = [];
      const closedNow = new Map<string, ChainRow>();
      let s = seq;
      let h = prev;
      for (const d of p.drafts) {
        if (d.ref_id !== null) {
          const intent =
            rows.find((r) => r.id === d.ref_id) ??
            state.intents.get(d.ref_id) ??
            known?.get(d.ref_id);
          const problem = !intent
            ? 'no such audit record'
            : intent.decision !== 'allowed'
              ? `it is a ${intent.decision} record, complete when written`
              : state.closed.has(d.ref_id) || closedNow.has(d.ref_id)
                ? 'it already has an outcome'
                : null;
          if (problem !== null || !intent) {
            return {
              p,
              error: new AuditStateError(`cannot close audit record ${d.ref_id}: ${problem}`),
            };
          }
          closedNow.set(d.ref_id, intent);
        }
        s += 1;
        const row = sealEntry(d, s, time, h, this.hmacKey);
        h = row.hash;
        rows.push(row);
      }
      // Only an accepted append advances the chain and the known state.
      seq = s;
      prev = h;
      for (const r of rows) if (r.kind === 'intent') state.intents.set(r.id, r);
      for (const ref of closedNow.keys()) state.closed.add(ref);
      return { p, ok: { rows, closed: closedNow } };
    });
  }
}

/**
 * What the writer knows once `sealed` has committed on top of what it knew (`open`, updated in
 * place): the last row is the head; allowed intents written are open until an outcome closes them.
 */
function knownAfter(open: Map<string, ChainRow>, sealed: Sealed[], last: ChainRow): Known {
  for (const o of sealed) {
    if (!('ok' in o)) continue;
    for (const r of o.ok.rows) {
      if (r.kind === 'intent' && r.decision === 'allowed') open.set(r.id, r);
    }
    for (const ref of o.ok.closed.keys()) open.delete(ref);
  }
  for (const id of open.keys()) {
    if (open.size <= MAX_KNOWN_OPEN) break;
    open.delete(id);
  }
  return { head: { seq: last.seq, hash: last.hash }, open };
}
