import { sealEntry, type ChainRow, type EntryDraft } from './audit-entry';

// The chain writer's pure part: sealing a batch of appends, and what the writer knows after.

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

export type Sealed = { p: Pending; ok: AppendResult } | { p: Pending; error: Error };

/** The appends of a batch the chain accepted. */
export const accepted = (sealed: Sealed[]): AppendResult[] =>
  sealed.flatMap((o) => ('ok' in o ? [o.ok] : []));
export const sealedRows = (sealed: Sealed[]): ChainRow[] => accepted(sealed).flatMap((r) => r.rows);

export interface Pending {
  drafts: EntryDraft[];
  resolve: (r: AppendResult) => void;
  reject: (err: unknown) => void;
}

// Open intents a writer remembers (see Known); the oldest beyond this is forgotten, and read
// from the database again if it is ever closed.
export const MAX_KNOWN_OPEN = 4096;

export type Head = { seq: number; hash: string };

/**
 * What the SQLite writer knows of the chain without reading it: the head its own last commit
 * left, and the allowed intents it committed that have no outcome yet. True as long as every
 * entry appended since was its own; the thread's head check proves that at each commit, and
 * anything else (head moved, an error) drops it all.
 */
export interface Known {
  head: Head;
  /** Allowed intents this writer committed and nobody has closed, oldest first. */
  open: Map<string, ChainRow>;
}

/**
 * Gives each acceptable append its seqs and hashes after `head`; refuses an append whose outcome
 * is invalid. `state`: what was read, updated as appends are accepted; `known`: allowed intents
 * known open.
 */
export function sealBatch(
  batch: Pending[],
  head: Head,
  state: { intents: Map<string, ChainRow>; closed: Set<string> },
  hmacKey: string | undefined,
  known?: ReadonlyMap<string, ChainRow>,
): Sealed[] {
  const time = new Date().toISOString();
  let seq = head.seq;
  let prev = head.hash;
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
      const row = sealEntry(d, s, time, h, hmacKey);
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

/**
 * What the writer knows once `sealed` has committed on top of what it knew (`open`, updated in
 * place): the last row is the head; allowed intents written are open until an outcome closes them.
 */
export function knownAfter(open: Map<string, ChainRow>, sealed: Sealed[], last: ChainRow): Known {
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
