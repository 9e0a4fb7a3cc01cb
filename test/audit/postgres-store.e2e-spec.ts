import { Logger } from '@nestjs/common';
import { createPgSchema, describePg, pgQuery, type PgSchema } from '../support/postgres';
import { auditServiceOn, batchService, Services, terminateIntent } from './support/audit-fixtures';
import { queryAudit } from './support/audit-reads';
import { defineQuerySuite } from './support/query-suite';
import { defineStoreSuite } from './support/store-suite';
import { postgresTarget } from './support/store-targets';
import { defineTamperSuite } from './support/tamper-suite';

// jest applies testTimeout only globally, not from the e2e project config.
jest.setTimeout(30_000);

describePg('audit on postgres', () => {
  defineStoreSuite(postgresTarget());
  defineQuerySuite(postgresTarget());
  defineTamperSuite(postgresTarget());

  describe('replicas and failures', () => {
    const services = new Services();
    let schema: PgSchema;

    beforeAll(() => Logger.overrideLogger(false));
    beforeEach(async () => {
      schema = await createPgSchema('audit_test');
    });
    afterEach(async () => {
      await services.stopAll();
      await schema.drop();
    });

    it('keeps one linear chain when two replicas append 250 intents and outcomes each at once', async () => {
      // Two services, two pools: what two gateway processes sharing one database look like.
      const [one, two] = await Promise.all([
        services.start(schema.url),
        services.start(schema.url),
      ]);
      const work = (audit: typeof one, actor: typeof batchService) =>
        Promise.all(
          Array.from({ length: 250 }, async (_, i) => {
            const intent = await audit.recordIntent(
              terminateIntent({ actor, sessionId: `s-${actor.id}-${i}` }),
            );
            return audit.recordOutcome(intent.id, { outcome: i % 2 ? 'succeeded' : 'failed' });
          }),
        );
      const [a, b] = await Promise.all([
        work(one, batchService),
        work(two, { ...batchService, id: 'svc-2' }),
      ]);
      expect(a).toHaveLength(250);
      expect(b).toHaveLength(250);

      expect(await one.verify()).toEqual({ ok: true, count: 1000 });
      const counts = await pgQuery<{ kind: string; n: string }>(
        'select kind, count(*) as n from audit_chain group by kind order by kind',
        [],
        schema.schema,
      );
      expect(counts.map((r) => [r.kind, Number(r.n)])).toEqual([
        ['intent', 500],
        ['outcome', 500],
      ]);
      const [span] = await pgQuery<{ min: string; max: string; n: string }>(
        'select min(seq) as min, max(seq) as max, count(distinct seq) as n from audit_chain',
        [],
        schema.schema,
      );
      expect([Number(span.min), Number(span.max), Number(span.n)]).toEqual([1, 1000, 1000]);
      expect((await queryAudit(two, { outcome: 'pending' }, 10)).items).toEqual([]);
    });

    it('refuses to start, and refuses to record, when the database refuses connections', async () => {
      // Port 1 on loopback: nothing listens there, so the connection is refused at once.
      const audit = auditServiceOn('postgres://postgres@127.0.0.1:1/test').service;
      await expect(audit.onModuleInit()).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
      await expect(audit.recordIntent(terminateIntent())).rejects.toMatchObject({
        code: 'AUDIT_UNAVAILABLE',
        message: 'The audit log cannot be written; nothing was forwarded',
      });
    });

    it('creates the schema named in the URL and migrates it once, however many replicas start', async () => {
      await schema.drop();
      const started = await Promise.all([1, 2, 3].map(() => services.start(schema.url)));
      const migrations = await pgQuery(
        'select name from kysely_migration order by name',
        [],
        schema.schema,
      );
      expect(migrations.map((m) => m.name)).toEqual([
        '0001_audit_chain',
        '0002_append_only_guards',
        '0003_idempotency_keys',
        '0004_actor_username',
        '0005_event_outbox',
      ]);
      await started[0].recordIntent(terminateIntent());
      expect(await started[2].verify()).toEqual({ ok: true, count: 1 });
    });
  });
});
