import { Injectable } from '@nestjs/common';
import { GatewayError, toGatewayError } from '../errors';
import { isValidSessionId, PamCoreClient, type RemoteSession } from '../pam-core';
import { RbacService } from '../rbac/rbac.service';
import { actorOf } from '../audit/audit.options';
import { recordable } from '../audit/audit-text';
import { SessionAudit } from './session-audit';
import { SessionListCache, type SessionSnapshot } from './session-list.cache';
import {
  compileFilter,
  pageOf,
  type PageNames,
  type PageRequest,
  parseFilter,
  parsePage,
  restListQuery,
  type SessionFilter,
} from './session-query';
import type { AuditBase } from './session-terminator';
import type { CallContext } from './sessions.service';

/** A listing as either channel received it, before validation. */
export interface ListRequest {
  filter?: unknown;
  first?: unknown;
  after?: unknown;
  /** REST: the raw query parameters, validated here so invalid ones are audited too. */
  query?: Record<string, unknown>;
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

/**
 * Reading sessions: listings from the shared cache, single sessions straight from Segura.
 * A caller whose session:read is scoped sees only the sessions a rule matches. Every read is
 * recorded (action session.read), and like audit reads it fails closed: no record, no answer.
 */
@Injectable()
export class SessionReader {
  constructor(
    private readonly cache: SessionListCache,
    private readonly pamCore: PamCoreClient,
    private readonly audit: SessionAudit,
    private readonly rbac: RbacService,
  ) {}

  async list(ctx: CallContext, req: ListRequest, names: PageNames): Promise<SessionPage> {
    const base = this.base(ctx);
    let filter: SessionFilter;
    let page: PageRequest;
    let after: unknown;
    try {
      const raw = req.query ? restListQuery(req.query) : req;
      after = raw.after;
      filter = parseFilter(raw.filter);
      page = parsePage(raw.first, raw.after, names);
    } catch (err) {
      throw await this.audit.invalid(base, err);
    }
    const scope = this.rbac.scopeOf(ctx.principal, 'session:read');
    if (!scope.any) throw await this.denied(base);
    const details = { filter, first: page.first, after: typeof after === 'string' ? after : null };
    let snap: SessionSnapshot;
    try {
      snap = await this.cache.read();
    } catch (err) {
      const gw = toGatewayError(err);
      await this.audit.recordFailure({ ...base, decision: 'allowed', details }, gw);
      throw gw;
    }
    const matches = compileFilter(filter);
    const visible = snap.sessions.filter((s) => matches(s) && scope.allows(s));
    const { nodes, nextCursor } = pageOf(visible, page);
    await this.audit.completed(
      { ...base, decision: 'allowed', details },
      {
        outcome: 'succeeded',
        details: { count: nodes.length, totalCount: visible.length, stale: snap.stale },
      },
    );
    return {
      sessions: nodes,
      nextCursor,
      totalCount: visible.length,
      stale: snap.stale,
      ageSeconds: snap.ageSeconds,
      fetchedAt: new Date(snap.fetchedAt).toISOString(),
    };
  }

  /** One session, fresh from Segura; SESSION_NOT_FOUND when Segura does not know it. */
  async get(ctx: CallContext, id: unknown): Promise<RemoteSession> {
    const base = { ...this.base(ctx), sessionId: recordable(id, 'sessionId') };
    if (!isValidSessionId(id)) {
      const err = new GatewayError('BAD_USER_INPUT', 'Invalid session id', {
        field: 'id',
        detail: 'id must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$',
      });
      throw await this.audit.invalid(base, err);
    }
    const scope = this.rbac.scopeOf(ctx.principal, 'session:read');
    if (!scope.any) throw await this.denied(base);
    let session: RemoteSession | null;
    try {
      session = await this.pamCore.getSession(id);
      if (!session) throw new GatewayError('SESSION_NOT_FOUND', 'Session not found');
    } catch (err) {
      const gw = toGatewayError(err);
      await this.audit.recordFailure({ ...base, decision: 'allowed' }, gw);
      throw gw;
    }
    if (!scope.allows(session)) throw await this.denied(base, { scope: 'out-of-scope' });
    await this.audit.completed({ ...base, decision: 'allowed' }, { outcome: 'succeeded' });
    return session;
  }

  private base(ctx: CallContext): AuditBase {
    return {
      requestId: ctx.requestId,
      channel: ctx.channel,
      actor: actorOf(ctx.principal),
      action: 'session.read',
    };
  }

  private async denied(
    base: AuditBase & { sessionId?: string },
    details?: Record<string, unknown>,
  ) {
    await this.audit.rejection({ ...base, decision: 'denied', errorCode: 'FORBIDDEN', details });
    return new GatewayError('FORBIDDEN', 'Forbidden');
  }
}
