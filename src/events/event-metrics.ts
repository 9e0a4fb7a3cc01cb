import { Counter, Gauge, type Registry } from 'prom-client';
import type { Backlog } from './outbox-store';

/**
 * Per receiver, labelled with its index in EVENTS_WEBHOOK_URLS (a URL may carry a token).
 * Counters are this replica's; the backlog gauges read the shared outbox when scraped.
 */
export class EventMetrics {
  private readonly delivered: Counter<'receiver'>;
  private readonly failed: Counter<'receiver'>;
  private readonly dead: Counter<'receiver'>;

  constructor(
    registry: Registry | undefined,
    receivers: number,
    backlog: (index: number) => Promise<Backlog | null>,
  ) {
    const registers = registry ? [registry] : [];
    const labelNames = ['receiver'] as const;
    this.delivered = new Counter({
      name: 'pam_gateway_events_delivered_total',
      help: 'Events a webhook receiver accepted (2xx)',
      labelNames,
      registers,
    });
    this.failed = new Counter({
      name: 'pam_gateway_events_failed_attempts_total',
      help: 'Delivery attempts that failed (status other than 2xx, timeout, connection error)',
      labelNames,
      registers,
    });
    this.dead = new Counter({
      name: 'pam_gateway_events_dead_total',
      help: 'Events given up after EVENTS_MAX_AGE_HOURS of failed attempts',
      labelNames,
      registers,
    });
    // Registered first, so that a scrape has set the age below before it reads it.
    new Gauge({
      name: 'pam_gateway_events_pending',
      help: 'Events written and not yet delivered to (or given up for) the receiver',
      labelNames,
      registers,
      async collect() {
        for (let i = 0; i < receivers; i++) {
          const b = await backlog(i);
          if (!b) continue;
          const receiver = String(i);
          this.set({ receiver }, b.pending);
          const age = b.oldest ? Math.max(0, (Date.now() - Date.parse(b.oldest)) / 1000) : 0;
          oldest.set({ receiver }, age);
        }
      },
    });
    const oldest = new Gauge({
      name: 'pam_gateway_events_oldest_pending_seconds',
      help: 'Age of the oldest event not yet delivered to the receiver (0: none)',
      labelNames,
      registers,
    });
    for (let i = 0; i < receivers; i++) {
      for (const c of [this.delivered, this.failed, this.dead]) c.inc({ receiver: String(i) }, 0);
    }
  }

  deliveredTo(index: number): void {
    this.delivered.inc({ receiver: String(index) });
  }

  failedAt(index: number): void {
    this.failed.inc({ receiver: String(index) });
  }

  deadAt(index: number): void {
    this.dead.inc({ receiver: String(index) });
  }
}
