import { graphql } from './gql';

export const MeQuery = graphql(`
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
`);

export const SessionsQuery = graphql(`
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
`);

export const SessionQuery = graphql(`
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
`);

export const TerminateMutation = graphql(`
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
`);

export const BulkMutation = graphql(`
  mutation Bulk(
    $filter: BulkTerminationFilter
    $reason: String
    $dryRun: Boolean
    $idempotencyKey: String
  ) {
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
`);

export const AuditQuery = graphql(`
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
`);
