import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import Database from 'better-sqlite3';
import request from 'supertest';
import { AuditController } from '../../src/audit/audit.controller';
import { AuditModule } from '../../src/audit/audit.module';
import { AuditResolver } from '../../src/audit/audit.resolver';
import { AuditService } from '../../src/audit/audit.service';
import type { AppConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { formatGraphqlError } from '../../src/observability/graphql-errors';
import { ProblemDetailsFilter } from '../../src/observability/problem-details.filter';
import { DENIED_ATTEMPT_RECORDER } from '../../src/rbac/denied-attempt';
import { AUDITED_ACTION_KEY, PERMISSION_KEY } from '../../src/rbac/require-permission.decorator';
import { auditor, terminateIntent } from './support/audit-fixtures';
import { queryAudit } from './support/audit-reads';

// jest applies testTimeout only globally, not from the e2e project config.
jest.setTimeout(30_000);

/**
 * The reading API over HTTP: AuditModule in a real Nest app on a real SQLite file. Guards are
 * the app's (not under test here); a middleware stands in for authentication.
 */
describe('audit reading API (REST and GraphQL)', () => {
  let dir: string;
  let file: string;
  let app: INestApplication;
  let audit: AuditService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-api-'));
    file = join(dir, 'audit.db');
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ audit: { databaseUrl: `sqlite:${file}` } } as AppConfig),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          autoSchemaFile: true,
          formatError: formatGraphqlError,
          context: (req: unknown, res: unknown) => ({ req, res }),
        }),
        AuditModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    }).compile();
    const adapter = new FastifyAdapter();
    adapter.getInstance().addHook('onRequest', (req, _reply, done) => {
      const r = req as typeof req & Record<string, unknown>;
      const given = req.headers['x-request-id'];
      r.requestId = typeof given === 'string' ? given : 'req-api';
      r.principal = auditor;
      done();
    });
    app = moduleRef.createNestApplication(adapter, { logger: false });
    await app.init();
    await adapter.getInstance().ready();
    audit = app.get(AuditService);
    expect(app.get(DENIED_ATTEMPT_RECORDER)).toBe(audit);
    for (let i = 0; i < 3; i++) {
      const r = await audit.recordIntent(terminateIntent({ sessionId: 'sess-api' }));
      await audit.recordOutcome(r.id, {
        outcome: 'succeeded',
        upstream: { status: 200, durationMs: 5 },
      });
    }
  });

  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const http = () => request(app.getHttpServer());
  const reads = async () => (await queryAudit(audit, { action: 'audit.read' }, 200)).items;

  it('declares audit:read on every route and records denials as audit.read', () => {
    for (const handler of [AuditController.prototype.list, AuditResolver.prototype.auditEvents]) {
      expect(Reflect.getMetadata(PERMISSION_KEY, handler)).toBe('audit:read');
      expect(Reflect.getMetadata(AUDITED_ACTION_KEY, handler)).toBe('audit.read');
    }
  });

  it('REST: pages newest first and records the read before answering', async () => {
    const before = (await reads()).length;
    const first = await http()
      .get('/api/v1/audit-events?sessionId=sess-api&outcome=succeeded&limit=2')
      .set('x-request-id', 'req-rest-1')
      .expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].seq).toBeGreaterThan(first.body.items[1].seq);
    expect(first.body.items[0]).toMatchObject({ outcome: 'succeeded', upstream: { status: 200 } });
    const second = await http()
      .get(`/api/v1/audit-events?sessionId=sess-api&limit=2&cursor=${first.body.nextCursor}`)
      .expect(200);
    expect(second.body).toMatchObject({ nextCursor: null });
    expect(second.body.items).toHaveLength(1);

    const recorded = await reads();
    expect(recorded).toHaveLength(before + 2);
    expect(recorded[1]).toMatchObject({
      channel: 'rest',
      requestId: 'req-rest-1',
      actor: { id: auditor.id },
      outcome: 'succeeded',
      details: { filter: { sessionId: 'sess-api', outcome: 'succeeded' }, first: 2, count: 2 },
    });
  });

  it.each([
    ['/api/v1/audit-events?colour=red', 'colour'],
    ['/api/v1/audit-events?actor=a&actor=b', 'actor'],
    ['/api/v1/audit-events?limit=ten', 'limit'],
    ['/api/v1/audit-events?limit=500', 'limit'],
    ['/api/v1/audit-events?cursor=zzz', 'cursor'],
    ['/api/v1/audit-events?since=last%20week', 'since'],
  ])('REST: %s is BAD_USER_INPUT naming %s, and recorded as invalid', async (path, field) => {
    const res = await http().get(path).set('x-request-id', `req-bad-${field}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'BAD_USER_INPUT',
      field,
      requestId: `req-bad-${field}`,
    });
    const [invalid] = (await queryAudit(audit, { action: 'audit.read', decision: 'invalid' }, 1))
      .items;
    expect(invalid).toMatchObject({
      requestId: `req-bad-${field}`,
      errorCode: 'BAD_USER_INPUT',
      details: { field },
    });
  });

  it('GraphQL: auditEvents answers a connection and records the read', async () => {
    const query = `query($f: AuditEventFilter, $after: String) {
      auditEvents(filter: $f, first: 2, after: $after) {
        nodes { id seq action decision outcome channel actor { id name kind roles } upstream { status }
                detailsJson hash prevHash outcomeSeq }
        nextCursor
      }
    }`;
    const res = await http()
      .post('/graphql')
      .set('x-request-id', 'req-gql-1')
      .send({ query, variables: { f: { sessionId: 'sess-api', action: 'SESSION_TERMINATE' } } })
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data.auditEvents;
    expect(page.nodes).toHaveLength(2);
    expect(page.nodes[0]).toMatchObject({
      action: 'SESSION_TERMINATE',
      decision: 'ALLOWED',
      outcome: 'SUCCEEDED',
      channel: 'REST',
      actor: { kind: 'USER', name: 'alice' },
      upstream: { status: 200 },
    });
    expect(page.nextCursor).toEqual(expect.any(String));
    const [read] = await reads();
    expect(read).toMatchObject({
      channel: 'graphql',
      requestId: 'req-gql-1',
      details: { count: 2 },
    });
  });

  it('GraphQL: a bad filter answers BAD_USER_INPUT naming the field', async () => {
    const res = await http()
      .post('/graphql')
      .send({ query: '{ auditEvents(filter: { since: "soon" }) { nextCursor } }' })
      .expect(200);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'since' });
  });

  it('documents the REST query parameters in OpenAPI', () => {
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    const params = (doc.paths['/api/v1/audit-events'].get?.parameters ?? []) as Array<{
      name: string;
    }>;
    expect(params.map((p) => p.name).sort()).toEqual(
      [
        'action',
        'actor',
        'cursor',
        'decision',
        'limit',
        'outcome',
        'sessionId',
        'since',
        'until',
      ].sort(),
    );
  });

  it('returns nothing when the read cannot be recorded (AUDIT_UNAVAILABLE)', async () => {
    const raw = new Database(file);
    raw.exec(
      'drop trigger audit_chain_no_update; drop trigger audit_chain_no_delete; drop table audit_chain;',
    );
    raw.close();
    const res = await http().get('/api/v1/audit-events').expect(503);
    expect(res.body).toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    expect(res.body.items).toBeUndefined();
    const gql = await http()
      .post('/graphql')
      .send({ query: '{ auditEvents { nextCursor } }' })
      .expect(200);
    expect(gql.body.errors[0].extensions.code).toBe('AUDIT_UNAVAILABLE');
    expect(gql.body.data).toBeNull();
  });
});
