import { Inject, Injectable } from '@nestjs/common';
import { type AuditedOperation, AuditedOperations } from '../audit/operations/audited-operations';
import type { CallContext } from '../audit/operations/call-context';
import { PamCoreClient, type RemoteSession } from '../pam-core';
import { RbacService } from '../rbac/rbac.service';
import { BulkTermination } from './bulk-termination';
import { ListSessionsQuery, RemoteSessionArgs, RemoteSessionsArgs } from './dto/list-sessions.args';
import { TerminateSessionArgs, TerminateSessionRequest } from './dto/terminate-session.args';
import { TerminateSessionsArgs, TerminateSessionsRequest } from './dto/terminate-sessions.body';
import { fingerprintOf, IdempotencyService } from './idempotency.service';
import type { TerminateSessionPayload } from './models/terminate-session.payload';
import type { TerminateSessionsPayload } from './models/terminate-sessions.payload';
import { SessionReader } from './session-reader';
import { SessionTerminator } from './session-terminator';
import { SESSIONS_OPTIONS, type SessionsOptions } from './sessions.options';
import type {
  BulkInput,
  ListInput,
  SessionIdInput,
  SessionPage,
  TerminateInput,
} from './sessions.types';

/**
 * The feature's four audited operations. Each declares its action, permission, input classes
 * and target; AuditedOperations runs the shared steps, so both channels get the same decision,
 * audit facts and error code for the same request.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly ops: AuditedOperations,
    private readonly pamCore: PamCoreClient,
    private readonly rbac: RbacService,
    private readonly terminator: SessionTerminator,
    private readonly idempotency: IdempotencyService,
    private readonly bulk: BulkTermination,
    private readonly reader: SessionReader,
    @Inject(SESSIONS_OPTIONS) private readonly options: SessionsOptions,
  ) {}

  private readonly policy = () => ({ requireReason: this.options.requireReason });
  private readonly lookup = (input: { id: string }) => this.pamCore.getSession(input.id);

  private readonly termination: AuditedOperation<
    TerminateInput,
    TerminateSessionPayload,
    RemoteSession
  > = {
    action: 'session.terminate',
    metric: 'terminate',
    input: { rest: TerminateSessionRequest, graphql: TerminateSessionArgs },
    policy: this.policy,
    recorded: ['sessionId', 'reason', 'idempotencyKey'],
    records: (input) => ({ reason: input.reason }),
    scope: (p) => this.rbac.scopeOf(p, 'session:terminate'),
    target: this.lookup,
    act: async (run) => {
      const { ctx, input, scope } = run;
      const sessionId = input.id;
      const fingerprint = () =>
        fingerprintOf({ op: 'terminateSession', sessionId, reason: input.reason ?? null });
      return this.idempotency.run(ctx.principal, input.idempotencyKey, fingerprint, async () => {
        // Inside the idempotent part: a replay must not even look the session up.
        if (!scope.unrestricted) {
          await run.target({
            details: { stage: 'scope-lookup' },
            detail: 'This session is outside the scope of your permissions',
          });
        }
        const r = await this.terminator.forward(run.base, sessionId);
        if (!r.ok) throw r.error;
        return { sessionId, ...r.value, requestId: ctx.requestId };
      });
    },
  };

  private readonly bulkTermination: AuditedOperation<BulkInput, TerminateSessionsPayload> = {
    action: 'session.terminate.bulk',
    metric: 'terminate-bulk',
    input: { rest: TerminateSessionsRequest, graphql: TerminateSessionsArgs },
    policy: this.policy,
    recorded: ['reason', 'idempotencyKey'],
    records: (input) => ({ reason: input.reason }),
    scope: (p) => this.rbac.scopeOf(p, 'session:terminate'),
    act: (run) => this.bulk.run(run),
  };

  private readonly listing: AuditedOperation<ListInput, SessionPage> = {
    action: 'session.read',
    metric: 'list',
    input: { rest: ListSessionsQuery, graphql: RemoteSessionsArgs },
    scope: (p) => this.rbac.scopeOf(p, 'session:read'),
    act: (run) => this.reader.list(run),
  };

  private readonly reading: AuditedOperation<SessionIdInput, RemoteSession, RemoteSession> = {
    action: 'session.read',
    metric: 'get',
    input: { rest: RemoteSessionArgs, graphql: RemoteSessionArgs },
    recorded: ['sessionId'],
    scope: (p) => this.rbac.scopeOf(p, 'session:read'),
    target: this.lookup,
    act: async (run) => {
      const session = await run.target();
      await this.reader.recordRead(run);
      return session;
    },
  };

  /** REST: {id, body, idempotencyKey}; GraphQL: the mutation's arguments. */
  terminate(ctx: CallContext, raw: object): Promise<TerminateSessionPayload> {
    return this.ops.run(ctx, this.termination, raw);
  }

  /**
   * Bulk termination. Counts as one request against the caller's rate limit (counted by
   * PrincipalRateLimitGuard before anything else): the policy's bulkMax bounds how much one
   * request can do.
   */
  terminateMany(ctx: CallContext, raw: object): Promise<TerminateSessionsPayload> {
    return this.ops.run(ctx, this.bulkTermination, raw);
  }

  /** REST: the query; GraphQL: {filter, first, after}. */
  list(ctx: CallContext, raw: object): Promise<SessionPage> {
    return this.ops.run(ctx, this.listing, raw);
  }

  /** One session, fresh from Segura; SESSION_NOT_FOUND when Segura does not know it. */
  get(ctx: CallContext, raw: object): Promise<RemoteSession> {
    return this.ops.run(ctx, this.reading, raw);
  }
}
