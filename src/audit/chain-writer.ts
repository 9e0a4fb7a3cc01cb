import { GENESIS_HASH } from './audit-hash';
import { sealEntry, type ChainRow, type EntryDraft } from './audit-entry';
import type { AuditStore } from './audit-store';

/** A request the chain refuses on its own terms (closing twice, closing a denial). */
export class AuditStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditStateError';
  }
}

export interface AppendResult {
  /** The sealed entries, in the order they were given. */
  rows: ChainRow[];
  /** For each outcome entry: the intent it closed, by intent id. */
  closed: Map<string, ChainRow>;
}

interface Pending {
  drafts: EntryDraft[];
  resolve: (r: AppendResult) => void;
  reject: (err: unknown) => void;
}

// Bounded so one INSERT stays far below SQLite's and PostgreSQL's bind-parameter limits.
const MAX_BATCH_ENTRIES = 500;
const INSERT_CHUNK = 400;

/**
 * Appends entries to the chain with group commit: appends that arrive while a transaction is
 * in flight wait and go together into the next one (one fsync, one advisory lock for many).
 * Each caller's promise settles only after its own transaction has committed or failed.
 */
export class ChainWriter {
  private queue: Pending[] = [];
  private loop: Promise<void> | null = null;
  private closing = false;
  /** Counts for tests and metrics: how many transactions carried how many entries. */
  readonly stats = { transactions: 0, entries: 0 };

  constructor(
    private readonly store: AuditStore,
    private readonly hmacKey: string | undefined,
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
    let outcomes: Array<{ p: Pending; ok: AppendResult } | { p: Pending; error: Error }>;
    try {
      outcomes = await this.store.withAppendLock(async (trx) => {
        const head = await trx
          .selectFrom('audit_chain')
          .select(['seq', 'hash'])
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        const refs = [
          ...new Set(batch.flatMap((p) => p.drafts.map((d) => d.ref_id)).filter((r) => r !== null)),
        ];
        const intents = new Map<string, ChainRow>();
        const closed = new Set<string>();
        if (refs.length > 0) {
          const rows = await trx
            .selectFrom('audit_chain')
            .selectAll()
            .where((eb) => eb.or([eb('id', 'in', refs), eb('ref_id', 'in', refs)]))
            .execute();
          for (const r of rows) {
            if (r.kind === 'intent') intents.set(r.id, r);
            if (r.ref_id !== null) closed.add(r.ref_id);
          }
        }
        const sealed = this.seal(batch, head ? Number(head.seq) : 0, head?.hash ?? GENESIS_HASH, {
          intents,
          closed,
        });
        const rows = sealed.flatMap((o) => ('ok' in o ? o.ok.rows : []));
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          await trx
            .insertInto('audit_chain')
            .values(rows.slice(i, i + INSERT_CHUNK))
            .execute();
        }
        return sealed;
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    this.stats.transactions += 1;
    for (const o of outcomes) {
      if ('ok' in o) {
        this.stats.entries += o.ok.rows.length;
        o.p.resolve(o.ok);
      } else {
        o.p.reject(o.error);
      }
    }
  }

  /** Gives each acceptable append its seqs and hashes; refuses an append whose outcome is invalid. */
  private seal(
    batch: Pending[],
    lastSeq: number,
    lastHash: string,
    state: { intents: Map<string, ChainRow>; closed: Set<string> },
  ): Array<{ p: Pending; ok: AppendResult } | { p: Pending; error: Error }> {
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
          const intent = rows.find((r) => r.id === d.ref_id) ?? state.intents.get(d.ref_id);
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
