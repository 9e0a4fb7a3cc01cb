import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { IS_PUBLIC_KEY } from '../../src/auth/public.decorator';
import { AUTHENTICATED_KEY, PERMISSION_KEY } from '../../src/rbac/require-permission.decorator';
import { GatewayHarness, startGateway } from '../support/gateway';

/**
 * Every route and resolver field declares a permission, an explicit public marker, or the
 * explicit "any authenticated caller" marker, and the whole map is pinned here: a change in who can reach what shows up in review.
 */
let gw: GatewayHarness;
beforeAll(async () => {
  // With the console configured, so its routes are in the map too.
  gw = await startGateway({ env: { CONSOLE_OIDC_CLIENT_ID: 'pam-console' } });
});
afterAll(async () => {
  await gw?.close();
});

function endpoints(): Record<string, string> {
  const discovery = new DiscoveryService(gw.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const out: Record<string, string> = {};
  const wrappers = [...discovery.getControllers(), ...discovery.getProviders()];
  for (const wrapper of wrappers) {
    const instance = wrapper.instance as object | undefined;
    if (!instance || !wrapper.metatype) continue;
    const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
    const classPath = Reflect.getMetadata(PATH_METADATA, wrapper.metatype) as string | undefined;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name] as () => unknown;
      const routePath = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const gqlType = Reflect.getMetadata('graphql:resolver_type', handler) as string | undefined;
      let key: string | undefined;
      if (classPath !== undefined && routePath !== undefined) {
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        key = `${method} /${[classPath, routePath]
          .map((p) => p.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/')}`;
      } else if (gqlType !== undefined) {
        const field =
          (Reflect.getMetadata('graphql:resolver_name', handler) as string | undefined) ?? name;
        key = `graphql ${gqlType}.${field}`;
      } else if (Reflect.getMetadata('graphql:resolve_property', handler) === true) {
        // A field resolver (runs inside a root field that passed the guards).
        const field =
          (Reflect.getMetadata('graphql:resolver_name', handler) as string | undefined) ?? name;
        key = `graphql field ${wrapper.metatype.name}.${field}`;
      }
      if (!key) continue;
      const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
        handler,
        wrapper.metatype,
      ]);
      const permission = reflector.getAllAndOverride<string>(PERMISSION_KEY, [
        handler,
        wrapper.metatype,
      ]);
      const authenticated = reflector.getAllAndOverride<boolean>(AUTHENTICATED_KEY, [
        handler,
        wrapper.metatype,
      ]);
      out[key] = isPublic
        ? 'public'
        : (permission ?? (authenticated ? 'authenticated (no permission)' : 'NONE'));
    }
  }
  return out;
}

it('declares a permission, public or authenticated on every route and resolver field', () => {
  const map = endpoints();
  expect(Object.keys(map).length).toBeGreaterThan(1);
  const undeclared = Object.entries(map)
    .filter(([, v]) => v === 'NONE')
    .map(([k]) => k);
  expect(undeclared).toEqual([]);
});

it('matches the reviewed permission map', () => {
  expect(endpoints()).toMatchSnapshot();
});

it('serves a GraphQL schema identical to the committed schema.gql (run npm run schema:write)', () => {
  const { schema } = gw.app.get(GraphQLSchemaHost);
  const live = printSchema(lexicographicSortSchema(schema)).trim();
  const committed = readFileSync(join(__dirname, '..', '..', 'schema.gql'), 'utf8').trim();
  expect(live).toBe(committed);
});

it('serves the OpenAPI document with the termination route', async () => {
  const res = await gw.request('GET', '/api/docs-json');
  expect(res.status).toBe(200);
  expect(res.json.paths['/api/v1/sessions/{id}/terminate'].post).toBeDefined();
});
