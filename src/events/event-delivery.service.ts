import { createHash, randomUUID } from 'node:crypto';
import { HttpService } from '@nestjs/axios';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { GatewayDatabase } from '../database/gateway-database';
import type { AppConfig, EventsSettings } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { closeTransportOf } from '../http';
import { MetricsService } from '../observability/metrics.service';
import { EventMetrics } from './event-metrics';
import { EVENT_OUTBOX, type EventOutbox } from './event-outbox';
import type { EventsDb } from './event-tables';
import { OutboxStore } from './outbox-store';
import { WebhookSender } from './webhook-sender';

interface Receiver {
  index: number;
  url: string;
  /** Its row in event_receivers: a hash, never the URL (which may carry a token). */
  key: string;
  /** This replica's lease, as far as it knows: renewed when half of it is gone. */
  leaseUntil: number;
  /** Ends the current wait; `woken` remembers a write that came while the loop was busy. */
  wake: (() => void) | null;
  woken: boolean;
}

const PRUNE_EVERY_MS = 60_000;

/**
 * Sends the outbox's events to every receiver in the background, one loop per receiver: in
 * order, one send in flight, each attempt after the lease on the receiver's row is held, so
 * that of several replicas one sends at a time (README, "Events to webhooks"). A termination
 * never waits for any of it: the append only wakes the loops.
 */
@Injectable()
export class EventDelivery implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Events');
  private readonly settings: EventsSettings;
  /** This process, for the leases: a restarted gateway is another owner. */
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly receivers: Receiver[];
  private readonly sender: WebhookSender;
  private readonly metrics: EventMetrics;
  private store: OutboxStore | null = null;
  private loops: Promise<void>[] = [];
  private stopping = false;
  private unsubscribe: (() => void) | null = null;
  private lastPrune = 0;

  constructor(
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'events'>,
    @Inject(EVENT_OUTBOX) private readonly outbox: EventOutbox,
    private readonly audit: AuditService,
    private readonly database: GatewayDatabase,
    private readonly http: HttpService,
    @Optional() metrics?: MetricsService,
  ) {
    if (!config.events) throw new Error('EventDelivery needs config.events');
    this.settings = config.events;
    this.owner = `${this.settings.instance}:${process.pid}:${randomUUID()}`;
    // Longer than one attempt can take, with room for the database calls around it.
    this.leaseMs = 2 * this.settings.timeoutMs + 1000;
    this.receivers = this.settings.urls.map((url, index) => ({
      index,
      url,
      key: createHash('sha256').update(url).digest('hex').slice(0, 32),
      leaseUntil: 0,
      wake: null,
      woken: false,
    }));
    this.sender = new WebhookSender(http, this.settings.secret, this.settings.timeoutMs);
    this.metrics = new EventMetrics(metrics?.registry, this.receivers.length, (i) =>
      this.store
        ? this.store.backlog(this.receivers[i].key).catch(() => null)
        : Promise.resolve(null),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    // Tables beside the chain, in the same database (migration 0005).
    const database = await this.database.open();
    const appendThread = this.audit.appendThread;
    this.store = new OutboxStore(
      database.db.withTables<EventsDb>(),
      appendThread && ((sql, params) => appendThread.exec(sql, params)),
    );
    for (const r of this.receivers) await this.store.ensure(r.key);
    this.unsubscribe = this.outbox.onWritten(() => this.wakeAll());
    this.loops = this.receivers.map((r) => this.run(r));
    this.logger.log(`sending audit events to ${this.receivers.length} receiver(s)`);
  }

  /** Lets each loop finish its attempt (bounded by EVENTS_TIMEOUT_MS), then gives up the leases. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wakeAll();
    await Promise.all(this.loops);
    for (const r of this.receivers) {
      await this.store?.release(r.key, this.owner).catch(() => undefined);
    }
    await closeTransportOf(this.http.axiosRef, this.settings.timeoutMs);
  }

  private async run(r: Receiver): Promise<void> {
    while (!this.stopping) {
      let waitMs: number;
      try {
        waitMs = await this.step(r);
      } catch (err) {
        this.logger.error(`receiver ${r.index}: delivery failed: ${describe(err)}`);
        waitMs = this.settings.pollMs;
      }
      if (waitMs > 0 && !this.stopping) await this.sleep(r, waitMs);
    }
  }

  /** One attempt at the receiver's next event, if it is this replica's turn; how long to wait. */
  private async step(r: Receiver): Promise<number> {
    const store = this.store!;
    const poll = this.settings.pollMs;
    if (!(await this.holdLease(r, store))) return poll;
    const now = Date.now();
    const state = await store.state(r.key);
    if (!state) return poll;
    if (state.next_attempt_at > now) return Math.min(state.next_attempt_at - now, poll);
    const from = Number(state.delivered_seq);
    const event = await store.next(from);
    if (!event) {
      await this.pruneNow(store);
      return poll;
    }
    // Renewed if needed, so that the attempt ends while the lease still holds.
    if (!(await this.holdLease(r, store))) return poll;
    const result = await this.sender.send(r.url, event.id, event.body);
    if (result.ok) {
      await store.advance(r.key, this.owner, from, Number(event.seq));
      this.metrics.deliveredTo(r.index);
      return 0;
    }
    this.metrics.failedAt(r.index);
    const attempts = state.attempts + 1;
    if (Date.now() - Date.parse(event.time) >= this.settings.maxAgeMs) {
      await store.advance(r.key, this.owner, from, Number(event.seq));
      this.metrics.deadAt(r.index);
      this.logger.warn(
        `receiver ${r.index}: event ${event.id} is dead after ${attempts} attempts (${result.why})`,
      );
      return 0;
    }
    const delay = Math.min(
      this.settings.retryMinMs * 2 ** (attempts - 1),
      this.settings.retryMaxMs,
    );
    await store.retryAt(r.key, this.owner, from, attempts, Date.now() + delay);
    this.logger.warn(
      `receiver ${r.index}: event ${event.id} attempt ${attempts} failed (${result.why}); next in ${delay} ms`,
    );
    return Math.min(delay, poll);
  }

  /**
   * True when this replica holds the receiver's lease for at least one more attempt (half of
   * the lease: EVENTS_TIMEOUT_MS + 0.5 s); takes or renews it when less is left.
   */
  private async holdLease(r: Receiver, store: OutboxStore): Promise<boolean> {
    const now = Date.now();
    if (now <= r.leaseUntil - this.leaseMs / 2) return true;
    const until = now + this.leaseMs;
    r.leaseUntil = (await store.claim(r.key, this.owner, now, until)) ? until : 0;
    return r.leaseUntil !== 0;
  }

  /** Deletes events every receiver is past, at most once a minute per replica. */
  private async pruneNow(store: OutboxStore): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await store.prune(this.receivers.map((r) => r.key));
  }

  private wakeAll(): void {
    for (const r of this.receivers) {
      r.woken = true;
      r.wake?.();
    }
  }

  /** Waits `ms`, or less when this process writes an event (or stops). */
  private sleep(r: Receiver, ms: number): Promise<void> {
    if (r.woken) {
      r.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        r.wake = null;
        r.woken = false;
        resolve();
      }
      r.wake = done;
    });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
