import { parseIdempotencyKey } from './idempotency.service';
import { bad, FILTER_FIELDS, parseFilter, type SessionFilter } from './session-query';
import { parseJsonBody, parseReason } from './terminate-input';

/** A bulk termination as either channel received it, before validation. */
export interface BulkRequest {
  filter?: unknown;
  reason?: unknown;
  dryRun?: unknown;
  idempotencyKey?: unknown;
  /** REST: the raw JSON body ({filter, reason, dryRun}), validated here so it is audited too. */
  body?: unknown;
}

export interface BulkInput {
  filter: SessionFilter;
  all: boolean;
  reason?: string;
  dryRun: boolean;
  idempotencyKey?: string;
}

/** The request's fields, as far as they can be read, for the audit record of a refusal. */
export function rawBulkFields(req: BulkRequest): { reason?: unknown; filter?: unknown } {
  const src = bodyOrArgs(req, true);
  return { reason: src.reason, filter: src.filter };
}

function bodyOrArgs(req: BulkRequest, lenient = false): Record<string, unknown> {
  if (req.body === undefined) return req as Record<string, unknown>;
  if (!lenient) return parseJsonBody(req.body, ['filter', 'reason', 'dryRun']);
  const b = req.body;
  return b !== null && typeof b === 'object' && !Array.isArray(b)
    ? (b as Record<string, unknown>)
    : {};
}

/**
 * Validates a bulk request. The filter must name at least one criterion besides `active`, or
 * say `all: true`: an empty filter never ends every session by accident. Bulk acts on active
 * sessions only, so `active: false` is refused as a mistake.
 */
export function parseBulkInput(req: BulkRequest, requireReason: boolean): BulkInput {
  const src = bodyOrArgs(req);
  const raw = src.filter ?? {};
  const filter = parseFilter(raw, ['all']);
  const allFlag = (raw as Record<string, unknown>).all;
  if (allFlag !== undefined && allFlag !== null && typeof allFlag !== 'boolean') {
    throw bad('all', 'must be true or false');
  }
  const all = allFlag === true;
  if (filter.active === false) {
    throw bad(
      'active',
      'bulk termination acts on active sessions only; omit active or set it true',
    );
  }
  const criteria = FILTER_FIELDS.filter((k) => k !== 'active' && filter[k] !== undefined);
  if (criteria.length === 0 && !all) {
    throw bad(
      'filter',
      'name at least one of user, device, protocol, originIp, credential, startedAfter, startedBefore, or set all: true to act on every active session',
    );
  }
  const reason = parseReason(src.reason, requireReason);
  const dryRun = src.dryRun ?? false;
  if (typeof dryRun !== 'boolean') throw bad('dryRun', 'must be true or false');
  const idempotencyKey = parseIdempotencyKey(req.idempotencyKey);
  return { filter, all, reason, dryRun, idempotencyKey };
}
