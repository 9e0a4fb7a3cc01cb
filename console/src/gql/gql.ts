/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Me {\n    me {\n      id\n      kind\n      name\n      username\n      roles\n      permissions\n      requireReason\n      bulkMax\n    }\n  }\n": typeof types.MeDocument,
    "\n  query Sessions($filter: RemoteSessionFilter, $first: Int, $after: String) {\n    remoteSessions(filter: $filter, first: $first, after: $after) {\n      totalCount\n      stale\n      ageSeconds\n      fetchedAt\n      nextCursor\n      nodes {\n        sessionId\n        user\n        device\n        protocol\n        originIp\n        credential\n        start\n        active\n        canTerminate\n      }\n    }\n  }\n": typeof types.SessionsDocument,
    "\n  query Session($id: ID!) {\n    remoteSession(id: $id) {\n      sessionId\n      recordId\n      user\n      originIp\n      credential\n      device\n      deviceHost\n      devicePort\n      protocol\n      proxy\n      start\n      end\n      durationSeconds\n      active\n      itsm\n      canTerminate\n    }\n  }\n": typeof types.SessionDocument,
    "\n  mutation Terminate($id: ID!, $reason: String, $idempotencyKey: String) {\n    terminateSession(id: $id, reason: $reason, idempotencyKey: $idempotencyKey) {\n      sessionId\n      terminated\n      alreadyEnded\n      verified\n      replayed\n      message\n      auditEventId\n      requestId\n    }\n  }\n": typeof types.TerminateDocument,
    "\n  mutation Bulk(\n    $filter: BulkTerminationFilter\n    $reason: String\n    $dryRun: Boolean\n    $idempotencyKey: String\n  ) {\n    terminateSessions(\n      filter: $filter\n      reason: $reason\n      dryRun: $dryRun\n      idempotencyKey: $idempotencyKey\n    ) {\n      dryRun\n      matched\n      terminatedCount\n      failedCount\n      replayed\n      fetchedAt\n      auditEventId\n      requestId\n      results {\n        sessionId\n        terminated\n        alreadyEnded\n        verified\n        code\n        message\n        auditEventId\n        session {\n          user\n          device\n          protocol\n          originIp\n          start\n        }\n      }\n    }\n  }\n": typeof types.BulkDocument,
    "\n  query Audit($filter: AuditEventFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      nextCursor\n      nodes {\n        id\n        seq\n        time\n        action\n        decision\n        outcome\n        outcomeTime\n        errorCode\n        sessionId\n        parentId\n        reason\n        requestId\n        channel\n        detailsJson\n        actor {\n          id\n          name\n          kind\n          ip\n          roles\n        }\n        upstream {\n          status\n          message\n          durationMs\n        }\n      }\n    }\n  }\n": typeof types.AuditDocument,
};
const documents: Documents = {
    "\n  query Me {\n    me {\n      id\n      kind\n      name\n      username\n      roles\n      permissions\n      requireReason\n      bulkMax\n    }\n  }\n": types.MeDocument,
    "\n  query Sessions($filter: RemoteSessionFilter, $first: Int, $after: String) {\n    remoteSessions(filter: $filter, first: $first, after: $after) {\n      totalCount\n      stale\n      ageSeconds\n      fetchedAt\n      nextCursor\n      nodes {\n        sessionId\n        user\n        device\n        protocol\n        originIp\n        credential\n        start\n        active\n        canTerminate\n      }\n    }\n  }\n": types.SessionsDocument,
    "\n  query Session($id: ID!) {\n    remoteSession(id: $id) {\n      sessionId\n      recordId\n      user\n      originIp\n      credential\n      device\n      deviceHost\n      devicePort\n      protocol\n      proxy\n      start\n      end\n      durationSeconds\n      active\n      itsm\n      canTerminate\n    }\n  }\n": types.SessionDocument,
    "\n  mutation Terminate($id: ID!, $reason: String, $idempotencyKey: String) {\n    terminateSession(id: $id, reason: $reason, idempotencyKey: $idempotencyKey) {\n      sessionId\n      terminated\n      alreadyEnded\n      verified\n      replayed\n      message\n      auditEventId\n      requestId\n    }\n  }\n": types.TerminateDocument,
    "\n  mutation Bulk(\n    $filter: BulkTerminationFilter\n    $reason: String\n    $dryRun: Boolean\n    $idempotencyKey: String\n  ) {\n    terminateSessions(\n      filter: $filter\n      reason: $reason\n      dryRun: $dryRun\n      idempotencyKey: $idempotencyKey\n    ) {\n      dryRun\n      matched\n      terminatedCount\n      failedCount\n      replayed\n      fetchedAt\n      auditEventId\n      requestId\n      results {\n        sessionId\n        terminated\n        alreadyEnded\n        verified\n        code\n        message\n        auditEventId\n        session {\n          user\n          device\n          protocol\n          originIp\n          start\n        }\n      }\n    }\n  }\n": types.BulkDocument,
    "\n  query Audit($filter: AuditEventFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      nextCursor\n      nodes {\n        id\n        seq\n        time\n        action\n        decision\n        outcome\n        outcomeTime\n        errorCode\n        sessionId\n        parentId\n        reason\n        requestId\n        channel\n        detailsJson\n        actor {\n          id\n          name\n          kind\n          ip\n          roles\n        }\n        upstream {\n          status\n          message\n          durationMs\n        }\n      }\n    }\n  }\n": types.AuditDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      kind\n      name\n      username\n      roles\n      permissions\n      requireReason\n      bulkMax\n    }\n  }\n"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sessions($filter: RemoteSessionFilter, $first: Int, $after: String) {\n    remoteSessions(filter: $filter, first: $first, after: $after) {\n      totalCount\n      stale\n      ageSeconds\n      fetchedAt\n      nextCursor\n      nodes {\n        sessionId\n        user\n        device\n        protocol\n        originIp\n        credential\n        start\n        active\n        canTerminate\n      }\n    }\n  }\n"): typeof import('./graphql').SessionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Session($id: ID!) {\n    remoteSession(id: $id) {\n      sessionId\n      recordId\n      user\n      originIp\n      credential\n      device\n      deviceHost\n      devicePort\n      protocol\n      proxy\n      start\n      end\n      durationSeconds\n      active\n      itsm\n      canTerminate\n    }\n  }\n"): typeof import('./graphql').SessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Terminate($id: ID!, $reason: String, $idempotencyKey: String) {\n    terminateSession(id: $id, reason: $reason, idempotencyKey: $idempotencyKey) {\n      sessionId\n      terminated\n      alreadyEnded\n      verified\n      replayed\n      message\n      auditEventId\n      requestId\n    }\n  }\n"): typeof import('./graphql').TerminateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Bulk(\n    $filter: BulkTerminationFilter\n    $reason: String\n    $dryRun: Boolean\n    $idempotencyKey: String\n  ) {\n    terminateSessions(\n      filter: $filter\n      reason: $reason\n      dryRun: $dryRun\n      idempotencyKey: $idempotencyKey\n    ) {\n      dryRun\n      matched\n      terminatedCount\n      failedCount\n      replayed\n      fetchedAt\n      auditEventId\n      requestId\n      results {\n        sessionId\n        terminated\n        alreadyEnded\n        verified\n        code\n        message\n        auditEventId\n        session {\n          user\n          device\n          protocol\n          originIp\n          start\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').BulkDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Audit($filter: AuditEventFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      nextCursor\n      nodes {\n        id\n        seq\n        time\n        action\n        decision\n        outcome\n        outcomeTime\n        errorCode\n        sessionId\n        parentId\n        reason\n        requestId\n        channel\n        detailsJson\n        actor {\n          id\n          name\n          kind\n          ip\n          roles\n        }\n        upstream {\n          status\n          message\n          durationMs\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').AuditDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
