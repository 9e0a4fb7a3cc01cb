import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { PERMISSIONS } from '../../src/rbac/permission';

/**
 * No Docker engine runs here, so the compose file and Dockerfile are checked structurally, and
 * the gateway's own configuration validation is run over the compose environment.
 */
const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));

describe('docker-compose.yml', () => {
  it('defines the whole topology', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'gateway',
      'keycloak',
      'pam-core',
      'postgres',
      'redis',
    ]);
    for (const [name, svc] of Object.entries<Record<string, unknown>>(compose.services)) {
      expect(svc.image ?? svc.build).toBeDefined();
      if (svc.depends_on) {
        for (const dep of Object.keys(svc.depends_on)) expect(compose.services[dep]).toBeDefined();
      }
      expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
    }
    expect(compose.services.gateway.build.target).toBe('runtime');
    expect(compose.services['pam-core'].build.target).toBe('simulator');
    expect(compose.services.postgres.healthcheck.test).toBeDefined();
    expect(compose.services.redis.healthcheck.test).toBeDefined();
  });

  it('gives the gateway a configuration its own validation accepts', () => {
    const env: Record<string, string> = { ...compose.services.gateway.environment };
    // Files mounted into the container exist in the repository.
    for (const secret of compose.services.gateway.secrets as string[]) {
      const file = compose.secrets[secret].file as string;
      expect(existsSync(join(root, file))).toBe(true);
    }
    const mounts = (compose.services.gateway.volumes as string[]).map((v) => v.split(':'));
    for (const [host] of mounts) expect(existsSync(join(root, host))).toBe(true);
    env.PAM_CORE_CLIENT_SECRET_FILE = join(root, compose.secrets.pam_core_client_secret.file);
    env.AUDIT_HMAC_KEY_FILE = join(root, compose.secrets.audit_hmac_key.file);
    const result = loadConfig(env);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('ships a Keycloak realm with the sample roles and the gateway audience', () => {
    const kc = compose.services.keycloak;
    const realmFile = (kc.volumes as string[])[0].split(':')[0];
    const realm = JSON.parse(readFileSync(join(root, realmFile), 'utf8'));
    const roles = realm.roles.realm.map((r: { name: string }) => r.name).sort();
    expect(roles).toEqual(['auditor', 'session-operator', 'session-viewer']);
    const policy = parse(readFileSync(join(root, 'deploy', 'policy.yaml'), 'utf8'));
    expect(Object.keys(policy.roles).sort()).toEqual(roles);
    for (const perms of Object.values<string[]>(policy.roles)) {
      for (const p of perms) expect(PERMISSIONS).toContain(p);
    }
    const mapper = JSON.stringify(realm.clientScopes);
    expect(mapper).toContain(compose.services.gateway.environment.AUTH_AUDIENCE);
    expect(compose.services.gateway.environment.AUTH_ISSUER).toBe(
      `http://localhost:8080/realms/${realm.realm}`,
    );
  });
});

describe('the operator console in the topology', () => {
  it("is a public PKCE client of the realm, redirecting to the gateway's /console", () => {
    const realmFile = (compose.services.keycloak.volumes as string[])[0].split(':')[0];
    const realm = JSON.parse(readFileSync(join(root, realmFile), 'utf8'));
    const env = compose.services.gateway.environment;
    const client = realm.clients.find(
      (c: { clientId: string }) => c.clientId === env.CONSOLE_OIDC_CLIENT_ID,
    );
    expect(client).toMatchObject({ publicClient: true, standardFlowEnabled: true });
    expect(client.attributes['pkce.code.challenge.method']).toBe('S256');
    expect(client.redirectUris).toEqual(['http://localhost:3000/console/callback']);
    expect(client.defaultClientScopes).toContain('pam-gateway-audience');
  });

  it('is built and shipped by the production image', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const build = dockerfile.slice(
      dockerfile.indexOf('AS build'),
      dockerfile.indexOf('AS prod-deps'),
    );
    expect(build).toMatch(/^COPY console \.\/console$/m);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^COPY --from=build .*\/app\/console\/dist \.\/console\/dist$/m);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);

  it('is multi-stage with a runtime of production dependencies only, non-root, with a health check', () => {
    expect(stages).toEqual(expect.arrayContaining(['build', 'prod-deps', 'simulator', 'runtime']));
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/npm prune --omit=dev|--from=prod-deps/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).not.toMatch(/COPY .*simulator/);
    expect(runtime).toMatch(/CMD \["node", "dist\/main.js"\]/);
  });
});
