import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { undiciHttpModule } from '../http';
import { EventDelivery } from './event-delivery.service';
import { EVENT_OUTBOX, EventOutbox } from './event-outbox';

/** The outbox writer, global so the audit log's writer finds it; it needs nothing but config. */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_OUTBOX,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new EventOutbox(config.events?.instance ?? 'gateway'),
    },
  ],
  exports: [EVENT_OUTBOX],
})
class EventOutboxModule {}

/**
 * Audit events to webhooks (README, "Events to webhooks"); imported only when
 * EVENTS_WEBHOOK_URLS is set. Not global, so it stops before the audit store closes (Nest ends
 * global modules last). Its HttpService is its own pool, sized for one send per receiver.
 */
@Module({})
export class EventsModule {
  static forRoot(): DynamicModule {
    return {
      module: EventsModule,
      imports: [
        EventOutboxModule,
        DatabaseModule,
        undiciHttpModule((config) => ({
          connections: 2,
          timeoutMs: config.events?.timeoutMs ?? 5000,
        })),
      ],
      providers: [EventDelivery],
    };
  }
}
