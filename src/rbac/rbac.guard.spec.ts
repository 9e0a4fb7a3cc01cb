import { Logger } from '@nestjs/common';
import { type ModuleRef, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '../auth/principal';
import { Public } from '../auth/public.decorator';
import type { GatewayRequest } from '../auth/request-context';
import type { AppConfig } from '../config/app-config';
import { GatewayError } from '../errors';
import type { DeniedAttempt, DeniedAttemptRecorder } from './denied-attempt';
import { RbacGuard } from './rbac.guard';
import { loadPolicyFile } from './policy.loader';
import { RbacService } from './rbac.service';
import { AuditedAction, Authenticated, RequirePermission } from './require-permission.decorator';

Logger.overrideLogger(false);

@RequirePermission('session:read')
class Probe {
  @Public()
  open(): void {}
  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate')
  terminate(): void {}
  @RequirePermission('audit:read')
  audit(): void {}
  inherited(): void {}
}
class Bare {
  undeclared(): void {}
  @Authenticated()
  whoAmI(): void {}
}

const policyFile = join(mkdtempSync(join(tmpdir(), 'rbac-guard-spec-')), 'policy.yaml');
writeFileSync(
  policyFile,
  'roles:\n  operator: [session:terminate, session:read]\n  viewer: [session:read]\n',
);
const rbac = new RbacService({ rbac: { policyFile } } as AppConfig, loadPolicyFile(policyFile));

const principal = (roles: string[]): Principal => ({
  id: 'u-1',
  key: 'jwt:https://idp.example:u-1',
  kind: 'user',
  name: 'one',
  roles,
  ip: '10.0.0.1',
});
const request = (p: Principal | undefined, extra: Partial<GatewayRequest> = {}) =>
  ({ requestId: 'rid-1', principal: p, params: {}, ...extra }) as unknown as GatewayRequest;

function rest(req: GatewayRequest, cls: object, handler: (...a: never[]) => unknown) {
  const ctx = new ExecutionContextHost([req, {}, () => undefined], cls as never, handler);
  ctx.setType('http');
  return ctx;
}
function graphql(
  req: GatewayRequest,
  args: Record<string, unknown>,
  cls: object,
  handler: (...a: never[]) => unknown,
) {
  const ctx = new ExecutionContextHost([{}, args, { req }, {}], cls as never, handler);
  ctx.setType('graphql');
  return ctx;
}

class Recorder implements DeniedAttemptRecorder {
  calls: DeniedAttempt[] = [];
  async recordDenied(a: DeniedAttempt): Promise<void> {
    this.calls.push(a);
  }
}
const noModuleRef = {
  get: () => {
    throw new Error('not found');
  },
} as unknown as ModuleRef;
const guardWith = (recorder?: DeniedAttemptRecorder, moduleRef = noModuleRef) =>
  new RbacGuard(new Reflector(), rbac, moduleRef, recorder);

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'allowed',
    (e: unknown) => (e instanceof GatewayError ? e.code : `unexpected ${String(e)}`),
  );

describe('RbacGuard', () => {
  it('lets @Public() through without a principal', async () => {
    expect(
      await guardWith().canActivate(rest(request(undefined), Probe, Probe.prototype.open)),
    ).toBe(true);
  });

  it('applies the handler permission over the class one, and the class one otherwise', async () => {
    const viewer = request(principal(['viewer']));
    expect(
      await codeOf(guardWith().canActivate(rest(viewer, Probe, Probe.prototype.inherited))),
    ).toBe('allowed');
    expect(await codeOf(guardWith().canActivate(rest(viewer, Probe, Probe.prototype.audit)))).toBe(
      'FORBIDDEN',
    );
  });

  it('denies a handler that declares no permission, whoever calls', async () => {
    const op = request(principal(['operator']));
    expect(await codeOf(guardWith().canActivate(rest(op, Bare, Bare.prototype.undeclared)))).toBe(
      'FORBIDDEN',
    );
  });

  it('lets any authenticated caller reach @Authenticated(), roles or not, but no one without', async () => {
    for (const roles of [[], ['viewer'], ['no-such-role']]) {
      const req = request(principal(roles));
      expect(await codeOf(guardWith().canActivate(rest(req, Bare, Bare.prototype.whoAmI)))).toBe(
        'allowed',
      );
    }
    expect(
      await codeOf(guardWith().canActivate(rest(request(undefined), Bare, Bare.prototype.whoAmI))),
    ).toBe('UNAUTHENTICATED');
  });

  it('answers UNAUTHENTICATED when no principal was set (AuthGuard missing)', async () => {
    expect(
      await codeOf(
        guardWith().canActivate(rest(request(undefined), Probe, Probe.prototype.terminate)),
      ),
    ).toBe('UNAUTHENTICATED');
  });

  it('records a denied REST attempt with params.id and body.reason', async () => {
    const recorder = new Recorder();
    const p = principal(['viewer']);
    const req = request(p, { params: { id: 'S-9' }, body: { reason: 'why not' } });
    expect(
      await codeOf(guardWith(recorder).canActivate(rest(req, Probe, Probe.prototype.terminate))),
    ).toBe('FORBIDDEN');
    expect(recorder.calls).toEqual([
      {
        principal: p,
        channel: 'rest',
        requestId: 'rid-1',
        action: 'session.terminate',
        sessionId: 'S-9',
        reason: 'why not',
      },
    ]);
  });

  it('records a denied GraphQL attempt with the id and reason arguments, strings only', async () => {
    const recorder = new Recorder();
    const guard = guardWith(recorder);
    const p = principal([]);
    const ctx = graphql(
      request(p),
      { id: 'S-3', reason: 'cleanup' },
      Probe,
      Probe.prototype.terminate,
    );
    expect(await codeOf(guard.canActivate(ctx))).toBe('FORBIDDEN');
    const odd = graphql(request(p), { id: 3, reason: ['x'] }, Probe, Probe.prototype.terminate);
    expect(await codeOf(guard.canActivate(odd))).toBe('FORBIDDEN');
    expect(recorder.calls).toEqual([
      {
        principal: p,
        channel: 'graphql',
        requestId: 'rid-1',
        action: 'session.terminate',
        sessionId: 'S-3',
        reason: 'cleanup',
      },
      {
        principal: p,
        channel: 'graphql',
        requestId: 'rid-1',
        action: 'session.terminate',
        sessionId: undefined,
        reason: undefined,
      },
    ]);
  });

  it('allows a GraphQL caller with the permission, recording nothing', async () => {
    const recorder = new Recorder();
    const ctx = graphql(
      request(principal(['operator'])),
      { id: 'S-3' },
      Probe,
      Probe.prototype.terminate,
    );
    expect(await guardWith(recorder).canActivate(ctx)).toBe(true);
    expect(recorder.calls).toEqual([]);
  });

  it('does not record denials of routes without @AuditedAction', async () => {
    const recorder = new Recorder();
    const ctx = rest(request(principal(['viewer'])), Probe, Probe.prototype.audit);
    expect(await codeOf(guardWith(recorder).canActivate(ctx))).toBe('FORBIDDEN');
    expect(recorder.calls).toEqual([]);
  });

  it('finds a recorder provided elsewhere in the application, once', async () => {
    const recorder = new Recorder();
    const get = jest.fn().mockReturnValue(recorder);
    const guard = guardWith(undefined, { get } as unknown as ModuleRef);
    const ctx = () => rest(request(principal([])), Probe, Probe.prototype.terminate);
    await codeOf(guard.canActivate(ctx()));
    await codeOf(guard.canActivate(ctx()));
    expect(recorder.calls).toHaveLength(2);
    expect(get).toHaveBeenCalledTimes(1);
    expect(get.mock.calls[0][1]).toEqual({ strict: false });
  });

  it('still denies when there is no recorder anywhere, or it fails', async () => {
    const ctx = () => rest(request(principal([])), Probe, Probe.prototype.terminate);
    expect(await codeOf(guardWith().canActivate(ctx()))).toBe('FORBIDDEN');
    const failing: DeniedAttemptRecorder = {
      recordDenied: () => Promise.reject(new Error('db down')),
    };
    expect(await codeOf(guardWith(failing).canActivate(ctx()))).toBe('FORBIDDEN');
  });
});
