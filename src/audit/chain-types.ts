import type { ChainRow } from './audit-entry';

/** A request the chain refuses on its own terms (closing twice, closing a denial). */
export class AuditStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditStateError';
  }
}

/** What one append wrote (chain-writer.ts). */
export interface AppendResult {
  /** The sealed entries, in the order they were given. */
  rows: ChainRow[];
  /** For each outcome entry: the intent it closed, by intent id. */
  closed: Map<string, ChainRow>;
}
