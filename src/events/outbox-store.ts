import type { CompiledQuery, Kysely } from 'kysely';
import type { EventsDb, OutboxRow, ReceiverRow } from './event-tables';

/** Where a receiver stands, for metrics. */
export interface Backlog {
  pending: number;
  /** Time of the oldest pending event, or null when none is pending. */
  oldest: string | null;
}

/** Runs a write elsewhere (a SQLite file's writer thread); resolves with the rows changed. */
export type WriteRunner = (sql: string, params: readonly unknown[]) => Promise<number>;

/**
 * The outbox and the receivers' rows in the audit database: every query of the delivery. Each
 * write names the lease owner, so a replica that lost its lease changes nothing. On a SQLite
 * file the writes go through `runWrite` (the audit writer thread): waiting for the file's write
 * lock would otherwise stop the event loop, and every request with it.
 */
export class OutboxStore {
  constructor(
    private readonly db: Kysely<EventsDb>,
    private readonly runWrite?: WriteRunner,
  ) {}

  /** Creates the receiver's row (from the first event) unless it exists. */
  async ensure(receiver: string): Promise<void> {
    const q = this.db
      .insertInto('event_receivers')
      .values({
        receiver,
        delivered_seq: 0,
        attempts: 0,
        next_attempt_at: 0,
        lease_owner: null,
        lease_until: 0,
      })
      .onConflict((oc) => oc.column('receiver').doNothing());
    await this.write(q);
  }

  /** Takes or renews the lease until `until`; false while another replica holds it. */
  async claim(receiver: string, owner: string, now: number, until: number): Promise<boolean> {
    const q = this.db
      .updateTable('event_receivers')
      .set({ lease_owner: owner, lease_until: until })
      .where('receiver', '=', receiver)
      .where((eb) => eb.or([eb('lease_owner', '=', owner), eb('lease_until', '<', now)]));
    return (await this.write(q)) > 0;
  }

  /** Gives the lease up (clean shutdown), so another replica need not wait for it to expire. */
  async release(receiver: string, owner: string): Promise<void> {
    const q = this.db
      .updateTable('event_receivers')
      .set({ lease_owner: null, lease_until: 0 })
      .where('receiver', '=', receiver)
      .where('lease_owner', '=', owner);
    await this.write(q);
  }

  async state(receiver: string): Promise<ReceiverRow | undefined> {
    return this.db
      .selectFrom('event_receivers')
      .selectAll()
      .where('receiver', '=', receiver)
      .executeTakeFirst();
  }

  /** The first event after `seq`, if any. */
  async next(seq: number): Promise<OutboxRow | undefined> {
    return this.db
      .selectFrom('event_outbox')
      .selectAll()
      .where('seq', '>', seq)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
  }

  /** Moves past `to` (delivered or dead) if `from` is still where the receiver stands. */
  async advance(receiver: string, owner: string, from: number, to: number): Promise<void> {
    await this.progress(receiver, owner, from, {
      delivered_seq: to,
      attempts: 0,
      next_attempt_at: 0,
    });
  }

  /** Records a failed attempt at the event after `from`; the next waits until `at`. */
  async retryAt(receiver: string, owner: string, from: number, attempts: number, at: number) {
    await this.progress(receiver, owner, from, { attempts, next_attempt_at: at });
  }

  async backlog(receiver: string): Promise<Backlog> {
    const row = await this.db
      .selectFrom('event_outbox')
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min('time').as('t')])
      .where('seq', '>', (eb) =>
        eb.selectFrom('event_receivers').select('delivered_seq').where('receiver', '=', receiver),
      )
      .executeTakeFirst();
    return { pending: Number(row?.n ?? 0), oldest: row?.t ?? null };
  }

  /** Deletes the events every one of `receivers` is past; returns how many. */
  async prune(receivers: readonly string[]): Promise<number> {
    const rows = await this.db
      .selectFrom('event_receivers')
      .select('delivered_seq')
      .where('receiver', 'in', receivers)
      .execute();
    if (rows.length < receivers.length) return 0;
    const upTo = Math.min(...rows.map((r) => Number(r.delivered_seq)));
    return this.write(this.db.deleteFrom('event_outbox').where('seq', '<=', upTo));
  }

  private async progress(
    receiver: string,
    owner: string,
    from: number,
    set: Partial<Pick<ReceiverRow, 'delivered_seq' | 'attempts' | 'next_attempt_at'>>,
  ): Promise<void> {
    const q = this.db
      .updateTable('event_receivers')
      .set(set)
      .where('receiver', '=', receiver)
      .where('lease_owner', '=', owner)
      .where('delivered_seq', '=', from);
    await this.write(q);
  }

  /** Runs a write (here, or through `runWrite`); resolves with the rows it changed. */
  private async write(q: { compile(): CompiledQuery }): Promise<number> {
    const compiled = q.compile();
    if (this.runWrite) return this.runWrite(compiled.sql, compiled.parameters);
    const r = await this.db.executeQuery(compiled);
    return Number(r.numAffectedRows ?? 0);
  }
}
