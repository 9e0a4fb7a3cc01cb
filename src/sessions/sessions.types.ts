import type { RemoteSession } from '../pam-core';
import type { SessionFilter } from './session-query';

/** Types shared by several sessions files: the channel-neutral inputs and answers. */

/** A listing, validated: criteria, page size and the cursor as given (checked valid). */
export interface ListInput {
  filter: SessionFilter;
  first: number;
  after: string | null;
}

/** One session by id (get), validated. */
export interface SessionIdInput {
  id: string;
}

/** A termination, validated; `reason` trimmed, absent when none was given. */
export interface TerminateInput {
  id: string;
  reason?: string;
  idempotencyKey?: string;
}

/** A bulk termination, validated. */
export interface BulkInput {
  filter: SessionFilter;
  all: boolean;
  reason?: string;
  dryRun: boolean;
  idempotencyKey?: string;
}

/** One page, channel-neutral (GraphQL calls the sessions `nodes`, REST `items`). */
export interface SessionPage {
  sessions: RemoteSession[];
  nextCursor: string | null;
  totalCount: number;
  stale: boolean;
  ageSeconds: number;
  fetchedAt: string;
}
