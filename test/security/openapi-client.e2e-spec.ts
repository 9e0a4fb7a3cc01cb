import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import createClient from 'openapi-fetch';
import ts from 'typescript';
import { type GatewayHarness, startGateway } from '../support/gateway';
import { type IssuerHandle, startIssuer } from '../support/oidc-issuer';

/**
 * Microservice teams generate clients from the served OpenAPI document. This generates one the
 * way they would (openapi-typescript), writes a small client that ends a session through
 * openapi-fetch with a typed body, and type-checks it with the TypeScript compiler: the document
 * must stay usable, and its operationIds must name the operations.
 */
let issuer: IssuerHandle;
let gw: GatewayHarness;
let dir: string;
let types: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the served document, as JSON
let doc: any;

beforeAll(async () => {
  issuer = await startIssuer();
  gw = await startGateway({ issuer, env: { API_DOCS: 'true' } });
  dir = mkdtempSync(join(tmpdir(), 'openapi-client-'));
  const served = await gw.request('GET', '/api/docs-json');
  expect(served.status).toBe(200);
  doc = served.json;
  types = generateTypes(doc);
});

afterAll(async () => {
  await gw?.close();
  await issuer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * openapi-typescript's Node API (openapiTS, astToString), run by plain Node: one of its
 * dependencies ships ES modules only, which Node loads through require() and jest does not.
 */
function generateTypes(doc: unknown): string {
  writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
  const generator = join(dir, 'generate.js');
  writeFileSync(
    generator,
    `const { readFileSync, writeFileSync } = require('node:fs');
const { default: openapiTS, astToString } = require(${JSON.stringify(require.resolve('openapi-typescript'))});
openapiTS(JSON.parse(readFileSync(process.argv[2], 'utf8'))).then((ast) =>
  writeFileSync(process.argv[3], astToString(ast)),
);
`,
  );
  const out = join(dir, 'api.d.ts');
  execFileSync(process.execPath, [generator, join(dir, 'openapi.json'), out]);
  return readFileSync(out, 'utf8');
}

const CLIENT = (body: string) => `
import createClient from 'openapi-fetch';
import type { operations, paths } from './api';

type TerminateBody = NonNullable<operations['terminateSession']['requestBody']>['content']['application/json'];
type Answer = operations['terminateSession']['responses'][200]['content']['application/json'];

export async function end(baseUrl: string, token: string, id: string): Promise<Answer | undefined> {
  const client = createClient<paths>({ baseUrl, headers: { authorization: 'Bearer ' + token } });
  const body: TerminateBody = ${body};
  const { data } = await client.POST('/api/v1/sessions/{id}/terminate', {
    params: { path: { id }, header: { 'Idempotency-Key': 'typed-client-1' } },
    body,
  });
  return data?.terminated === true ? data : undefined;
}
`;

/** Diagnostics of the client file, type-checked strictly against the generated types. */
function typeCheck(name: string, source: string): string[] {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, source);
  const fetchTypes = dirname(require.resolve('openapi-fetch/package.json'));
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    baseUrl: dir,
    paths: { 'openapi-fetch': [fetchTypes] },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

it('names every operation by what it does', () => {
  for (const id of [
    'terminateSession',
    'terminateSessions',
    'listSessions',
    'getSession',
    'listAuditEvents',
    'liveness',
    'readiness',
  ]) {
    expect(types).toContain(`    ${id}: {`);
  }
  expect(types).not.toMatch(/Controller_/);
});

it('lists the error answers of every API operation as problem details', () => {
  const apiOperations = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api/v1/'))
    .flatMap(([, ops]) => Object.values(ops as Record<string, { responses: object }>));
  expect(apiOperations).toHaveLength(5);
  for (const op of apiOperations) {
    const responses = op.responses as Record<string, { content?: object }>;
    for (const status of ['400', '401', '403', '429', '503']) {
      expect(Object.keys(responses[status]?.content ?? {})).toEqual(['application/problem+json']);
    }
  }
});

it('type-checks a typed terminateSession call, and refuses a wrong one', () => {
  expect(typeCheck('client', CLIENT("{ reason: 'ended by a typed client' }"))).toEqual([]);
  // Not vacuous: a reason that is not text, or a field the body does not have, fails the check.
  expect(typeCheck('wrong-type', CLIENT('{ reason: 42 }')).join('\n')).toMatch(/number/);
  expect(typeCheck('wrong-field', CLIENT('{ force: true }')).join('\n')).toMatch(/force/);
});

it('the generated paths reach the gateway: openapi-fetch ends a session', async () => {
  const s = gw.simulator.addSession();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the typed use is type-checked above
  const client = createClient<any>({ baseUrl: gw.url });
  const { data, response } = await client.POST('/api/v1/sessions/{id}/terminate', {
    params: { path: { id: s.sessionId } },
    headers: { authorization: `Bearer ${gw.tokens.operator}` },
    body: { reason: 'typed client' },
  });
  expect(response.status).toBe(200);
  expect(data).toMatchObject({ sessionId: s.sessionId, terminated: true });
});
