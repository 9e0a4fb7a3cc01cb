import type { AuditServiceOptions } from '../../../src/audit/audit.options';
import { AuditService } from '../../../src/audit/audit.service';
import type { AuditStore } from '../../../src/audit/audit-store';
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

/** Starts services and stops every one of them at the end, even those a test "killed". */
export class Services {
  private readonly started: AuditService[] = [];

  async start(
    databaseUrl: string,
    opts: { hmacKey?: string; options?: AuditServiceOptions } = {},
  ): Promise<AuditService> {
    const service = new AuditService(
      { audit: { databaseUrl, hmacKey: opts.hmacKey } },
      { recoveryGraceMs: 0, ...opts.options },
    );
    this.started.push(service);
    await service.onModuleInit();
    return service;
  }

  async stopAll(): Promise<void> {
    for (const s of this.started.splice(0)) await s.onModuleDestroy().catch(() => undefined);
  }
}
