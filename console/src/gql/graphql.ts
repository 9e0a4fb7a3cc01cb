/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What was attempted */
export type AuditAction =
  | 'AUDIT_READ'
  | 'SESSION_READ'
  | 'SESSION_TERMINATE'
  | 'SESSION_TERMINATE_BULK';

export type AuditActorKind =
  | 'SERVICE'
  | 'USER';

/** API the request came through */
export type AuditChannel =
  | 'GRAPHQL'
  | 'REST';

/** allowed (forwarded), denied by RBAC, or invalid input (never forwarded) */
export type AuditDecision =
  | 'ALLOWED'
  | 'DENIED'
  | 'INVALID';

/** All given conditions must hold */
export type AuditEventFilter = {
  action?: AuditAction | null | undefined;
  /** Actor id or name, exactly */
  actor?: string | null | undefined;
  decision?: AuditDecision | null | undefined;
  outcome?: AuditOutcomeFilter | null | undefined;
  sessionId?: string | null | undefined;
  /** ISO 8601; records at or after */
  since?: string | null | undefined;
  /** ISO 8601; records strictly before */
  until?: string | null | undefined;
};

/** What happened upstream */
export type AuditOutcome =
  | 'FAILED'
  | 'SUCCEEDED'
  | 'UNKNOWN';

/** An outcome, or PENDING for allowed records not closed yet */
export type AuditOutcomeFilter =
  | 'FAILED'
  | 'PENDING'
  | 'SUCCEEDED'
  | 'UNKNOWN';

/** Active sessions matching all given conditions; at least one, or all: true */
export type BulkTerminationFilter = {
  active?: boolean | null | undefined;
  /** Required to act with no criterion */
  all?: boolean | null | undefined;
  /** Glob pattern (* and ?), case-insensitive */
  credential?: string | null | undefined;
  /** Glob pattern (* and ?), case-insensitive; host:port or host */
  device?: string | null | undefined;
  /** Glob pattern (* and ?), case-insensitive */
  originIp?: string | null | undefined;
  /** Glob pattern (* and ?), case-insensitive */
  protocol?: string | null | undefined;
  /** Segura's wall-clock time, no zone: YYYY-MM-DD[THH:MM[:SS]]; inclusive */
  startedAfter?: string | null | undefined;
  /** Segura's wall-clock time, no zone: YYYY-MM-DD[THH:MM[:SS]]; exclusive */
  startedBefore?: string | null | undefined;
  /** Glob pattern (* and ?), case-insensitive */
  user?: string | null | undefined;
};

/** All given conditions must hold */
export type RemoteSessionFilter = {
  active?: boolean | null | undefined;
  /** Glob pattern (* and ?), case-insensitive */
  credential?: string | null | undefined;
  /** Glob pattern (* and ?), case-insensitive; host:port or host */
  device?: string | null | undefined;
  /** Glob pattern (* and ?), case-insensitive */
  originIp?: string | null | undefined;
  /** Glob pattern (* and ?), case-insensitive */
  protocol?: string | null | undefined;
  /** Segura's wall-clock time, no zone: YYYY-MM-DD[THH:MM[:SS]]; inclusive */
  startedAfter?: string | null | undefined;
  /** Segura's wall-clock time, no zone: YYYY-MM-DD[THH:MM[:SS]]; exclusive */
  startedBefore?: string | null | undefined;
  /** Glob pattern (* and ?), case-insensitive */
  user?: string | null | undefined;
};

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, kind: string, name: string, username: string | null, roles: Array<string>, permissions: Array<string>, requireReason: boolean, bulkMax: number | null } };

export type SessionsQueryVariables = Exact<{
  filter?: RemoteSessionFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SessionsQuery = { remoteSessions: { totalCount: number, stale: boolean, ageSeconds: number, fetchedAt: string, nextCursor: string | null, nodes: Array<{ sessionId: string, user: string | null, device: string | null, protocol: string | null, originIp: string | null, credential: string | null, start: string | null, active: boolean, canTerminate: boolean }> } };

export type SessionQueryVariables = Exact<{
  id: string;
}>;


export type SessionQuery = { remoteSession: { sessionId: string, recordId: string, user: string | null, originIp: string | null, credential: string | null, device: string | null, deviceHost: string | null, devicePort: number | null, protocol: string | null, proxy: string | null, start: string | null, end: string | null, durationSeconds: number | null, active: boolean, itsm: string | null, canTerminate: boolean } };

export type TerminateMutationVariables = Exact<{
  id: string;
  reason?: string | null | undefined;
  idempotencyKey?: string | null | undefined;
}>;


export type TerminateMutation = { terminateSession: { sessionId: string, terminated: boolean, alreadyEnded: boolean, verified: boolean, replayed: boolean, message: string | null, auditEventId: string, requestId: string } };

export type BulkMutationVariables = Exact<{
  filter?: BulkTerminationFilter | null | undefined;
  reason?: string | null | undefined;
  dryRun?: boolean | null | undefined;
  idempotencyKey?: string | null | undefined;
}>;


export type BulkMutation = { terminateSessions: { dryRun: boolean, matched: number, terminatedCount: number, failedCount: number, replayed: boolean, fetchedAt: string, auditEventId: string, requestId: string, results: Array<{ sessionId: string, terminated: boolean, alreadyEnded: boolean, verified: boolean, code: string | null, message: string | null, auditEventId: string | null, session: { user: string | null, device: string | null, protocol: string | null, originIp: string | null, start: string | null } }> } };

export type AuditQueryVariables = Exact<{
  filter?: AuditEventFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type AuditQuery = { auditEvents: { nextCursor: string | null, nodes: Array<{ id: string, seq: number, time: string, action: AuditAction, decision: AuditDecision, outcome: AuditOutcome | null, outcomeTime: string | null, errorCode: string | null, sessionId: string | null, parentId: string | null, reason: string | null, requestId: string, channel: AuditChannel, detailsJson: string | null, actor: { id: string, name: string, kind: AuditActorKind, ip: string, roles: Array<string> }, upstream: { status: number | null, message: string | null, durationMs: number | null } | null }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    id
    kind
    name
    username
    roles
    permissions
    requireReason
    bulkMax
  }
}
    `) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const SessionsDocument = new TypedDocumentString(`
    query Sessions($filter: RemoteSessionFilter, $first: Int, $after: String) {
  remoteSessions(filter: $filter, first: $first, after: $after) {
    totalCount
    stale
    ageSeconds
    fetchedAt
    nextCursor
    nodes {
      sessionId
      user
      device
      protocol
      originIp
      credential
      start
      active
      canTerminate
    }
  }
}
    `) as unknown as TypedDocumentString<SessionsQuery, SessionsQueryVariables>;
export const SessionDocument = new TypedDocumentString(`
    query Session($id: ID!) {
  remoteSession(id: $id) {
    sessionId
    recordId
    user
    originIp
    credential
    device
    deviceHost
    devicePort
    protocol
    proxy
    start
    end
    durationSeconds
    active
    itsm
    canTerminate
  }
}
    `) as unknown as TypedDocumentString<SessionQuery, SessionQueryVariables>;
export const TerminateDocument = new TypedDocumentString(`
    mutation Terminate($id: ID!, $reason: String, $idempotencyKey: String) {
  terminateSession(id: $id, reason: $reason, idempotencyKey: $idempotencyKey) {
    sessionId
    terminated
    alreadyEnded
    verified
    replayed
    message
    auditEventId
    requestId
  }
}
    `) as unknown as TypedDocumentString<TerminateMutation, TerminateMutationVariables>;
export const BulkDocument = new TypedDocumentString(`
    mutation Bulk($filter: BulkTerminationFilter, $reason: String, $dryRun: Boolean, $idempotencyKey: String) {
  terminateSessions(
    filter: $filter
    reason: $reason
    dryRun: $dryRun
    idempotencyKey: $idempotencyKey
  ) {
    dryRun
    matched
    terminatedCount
    failedCount
    replayed
    fetchedAt
    auditEventId
    requestId
    results {
      sessionId
      terminated
      alreadyEnded
      verified
      code
      message
      auditEventId
      session {
        user
        device
        protocol
        originIp
        start
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BulkMutation, BulkMutationVariables>;
export const AuditDocument = new TypedDocumentString(`
    query Audit($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    nextCursor
    nodes {
      id
      seq
      time
      action
      decision
      outcome
      outcomeTime
      errorCode
      sessionId
      parentId
      reason
      requestId
      channel
      detailsJson
      actor {
        id
        name
        kind
        ip
        roles
      }
      upstream {
        status
        message
        durationMs
      }
    }
  }
}
    `) as unknown as TypedDocumentString<AuditQuery, AuditQueryVariables>;