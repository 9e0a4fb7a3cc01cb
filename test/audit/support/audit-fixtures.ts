import type { AuditServiceOptions } from '../../../src/audit/audit.options';
import { AuditService } from '../../../src/audit/audit.service';
import type { AuditStore } from '../../../src/audit/audit-store';
import { ChainWriter } from '../../../src/audit/chain-writer';
import type { AppConfig } from '../../../src/config';
import {
  GatewayDatabase,
  type GatewayDatabaseOptions,
} from '../../../src/database/gateway-database';
import type { AuditActor, AuditIntent } from '../../../src/audit/audit.types';
import type { Principal } from '../../../src/auth/principal';

export const alice: AuditActor = {
  id: 'u-alice',
  kind: 'user',
  name: 'alice',
  roles: ['session-operator'],
  ip: '10.0.0.1',
  userAgent: 'jest',
};

export const batchService: AuditActor = {
  id: 'svc-batch',
  kind: 'service',
  name: 'batch-runner',
  roles: ['session-operator'],
  ip: '10.0.0.2',
};

export const auditor: Principal = {
  id: 'u-audrey',
  key: 'jwt:https://idp.example:u-audrey',
  kind: 'user',
  name: 'audrey',
  roles: ['auditor'],
  ip: '10.0.0.9',
};

/** from, from + 1, …, to. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

let counter = 0;

/** An allowed termination intent; override any field. */
export function terminateIntent(over: Partial<AuditIntent> = {}): AuditIntent {
  counter += 1;
  return {
    requestId: `req-${counter}`,
    channel: 'rest',
    actor: alice,
    action: 'session.terminate',
    sessionId: `sess-${counter}`,
    reason: 'incident 42',
    decision: 'allowed',
    ...over,
  };
}

/** The store behind a service, for what the service does not expose (its writer thread). */
export const storeOf = (audit: AuditService): AuditStore =>
  (audit as unknown as { store: AuditStore }).store;

/**
 * Counts the chain writers' transactions (commits, whichever writer) and the entries they
 * carried, from now on: what group commit saves. Stopped by jest.restoreAllMocks().
 */
export function countWrites(): () => { transactions: number; entries: number } {
  const writer = ChainWriter.prototype as unknown as {
    commit(batch: { drafts: unknown[] }[]): Promise<void>;
  };
  const spy = jest.spyOn(writer, 'commit');
  return () => ({
    transactions: spy.mock.calls.length,
    entries: spy.mock.calls.reduce(
      (n, [batch]) => n + batch.reduce((m, p) => m + p.drafts.length, 0),
      0,
    ),
  });
}

/** A service on its own database connection, as the app wires them; not started yet. */
export function auditServiceOn(
  databaseUrl: string,
  opts: { hmacKey?: string; options?: AuditServiceOptions & GatewayDatabaseOptions } = {},
): { service: AuditService; database: GatewayDatabase } {
  const config: Pick<AppConfig, 'audit'> = { audit: { databaseUrl, hmacKey: opts.hmacKey } };
  const { busyTimeoutMs, ...options } = opts.options ?? {};
  const database = new GatewayDatabase(config, { busyTimeoutMs });
  const service = new AuditService(config, database, { recoveryGraceMs: 0, ...options });
  return { service, database };
}

/** Starts services and stops every one of them at the end, even those a test "killed". */
export class Services {
  private readonly started: { service: AuditService; database: GatewayDatabase }[] = [];

  async start(
    databaseUrl: string,
    opts: { hmacKey?: string; options?: AuditServiceOptions & GatewayDatabaseOptions } = {},
  ): Promise<AuditService> {
    const started = auditServiceOn(databaseUrl, opts);
    this.started.push(started);
    await started.service.onModuleInit();
    return started.service;
  }

  async stopAll(): Promise<void> {
    for (const { service, database } of this.started.splice(0)) {
      await service.onModuleDestroy().catch(() => undefined);
      await database.close().catch(() => undefined);
    }
  }
}
