import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Args, GraphQLModule, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../src/auth/current-principal.decorator';
import type { Principal } from '../../src/auth/principal';
import { Public } from '../../src/auth/public.decorator';
import { AuditedAction, RequirePermission } from '../../src/rbac/require-permission.decorator';
import { AUDIENCE, startAuthTestApp, type AuthTestApp } from './support/auth-test-app';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';

// Both guards on the GraphQL channel: the request comes from the GraphQL context, the audited
// facts from the field arguments.
@Resolver()
class ProbeResolver {
  @Public()
  @Query(() => String)
  ping(): string {
    return 'pong';
  }

  @RequirePermission('session:read')
  @Query(() => String)
  me(@CurrentPrincipal() principal: Principal): string {
    return `${principal.kind}:${principal.id}:${principal.roles.join(',')}`;
  }

  @RequirePermission('session:terminate')
  @AuditedAction('session.terminate')
  @Mutation(() => Boolean)
  terminateSession(
    @Args('id', { type: () => ID }) _id: string,
    @Args('reason', { nullable: true }) _reason?: string,
  ): boolean {
    return true;
  }
}

let issuer: IssuerHandle;
let gw: AuthTestApp;

beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startAuthTestApp(issuer.url, {
    imports: [
      GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        path: '/graphql',
        autoSchemaFile: true,
        context: (req: unknown) => ({ req }),
      }),
    ],
    providers: [ProbeResolver],
  });
});

afterAll(async () => {
  await gw?.close();
  await issuer?.stop();
});

async function gql(query: string, token?: string, variables?: Record<string, unknown>) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': 'rid-gql',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string }>;
  };
}
const tokenWith = (roles: string[]) =>
  issuer.token({ payload: { sub: 'u-gq', aud: AUDIENCE, preferred_username: 'gq', roles } });

it('answers a public field without credentials', async () => {
  expect(await gql('{ ping }')).toEqual({ data: { ping: 'pong' } });
});

it('refuses a protected field without credentials, generically', async () => {
  const body = await gql('{ me }');
  expect(body.data).toBeNull();
  expect(body.errors?.[0].message).toBe('Authentication required');
});

it('authenticates a bearer token from the GraphQL request', async () => {
  expect(await gql('{ me }', await tokenWith(['session-viewer']))).toEqual({
    data: { me: 'user:u-gq:session-viewer' },
  });
});

it('denies a viewer the mutation and records the attempt with the field arguments', async () => {
  const body = await gql(
    'mutation T($id: ID!) { terminateSession(id: $id, reason: "tidy up") }',
    await tokenWith(['session-viewer']),
    {
      id: 'S-77',
    },
  );
  expect(body.errors?.[0].message).toBe('Forbidden');
  expect(gw.recorder.calls).toEqual([
    expect.objectContaining({
      channel: 'graphql',
      requestId: 'rid-gql',
      action: 'session.terminate',
      sessionId: 'S-77',
      reason: 'tidy up',
    }),
  ]);
});
