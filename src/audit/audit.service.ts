import {
  Inject,
  Injectable,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { GatewayDatabase } from '../database/gateway-database';
import { GatewayError } from '../errors';
import { EVENT_OUTBOX, type EventOutbox } from '../events/event-outbox';
import type { DeniedAttempt, DeniedAttemptRecorder } from '../rbac/denied-attempt';
import {
  intentDraft,
  outcomeDraft,
  toAuditRecord,
  type ChainRow,
  type EntryDraft,
} from './audit-entry';
import { type AuditQuery, findOpenIntents, runAuditQuery } from './audit-query';
import { auditStoreOn, type AuditStore } from './audit-store';
import type {
  AuditIntent,
  AuditOutcomeUpdate,
  AuditPage,
  AuditRecord,
  AuditVerifyResult,
} from './audit.types';
import { actorOf, AUDIT_OPTIONS, type AuditServiceOptions } from './audit.options';
import { verifyChain } from './chain-verifier';
import { AuditStateError, type AppendResult } from './chain-seal';
import { ChainWriter } from './chain-writer';
import type { SqliteAppendThread } from './sqlite-append-thread';

const NOT_WRITTEN = 'The audit log cannot be written; nothing was forwarded';
/** Longer than any upstream timeout: an intent this old cannot belong to a live request. */
const DEFAULT_PG_RECOVERY_GRACE_MS = 15 * 60_000;

/** The append-only, hash-chained audit log (docs/audit-record.md). */
@Injectable()
export class AuditService implements OnModuleInit, OnModuleDestroy, DeniedAttemptRecorder {
  private readonly logger = new Logger('Audit');
  private store: AuditStore | null = null;
  private writer: ChainWriter | null = null;
  private sweep: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'audit'>,
    private readonly database: GatewayDatabase,
    @Optional() @Inject(AUDIT_OPTIONS) private readonly options: AuditServiceOptions = {},
    @Optional() @Inject(EVENT_OUTBOX) private readonly outbox?: EventOutbox,
  ) {}

  /** Opens the chain on the shared database (AUDIT_UNAVAILABLE when it cannot be opened). */
  async onModuleInit(): Promise<void> {
    this.store = auditStoreOn(await this.database.open());
    this.writer = new ChainWriter(this.store, this.config.audit.hmacKey, this.outbox);
    const postgres = this.store.dialect === 'postgres';
    // Explicit options (tests) win over AUDIT_RECOVERY_GRACE_MS, which wins over the defaults.
    const grace =
      this.options.recoveryGraceMs ??
      this.config.audit.recoveryGraceMs ??
      (postgres ? DEFAULT_PG_RECOVERY_GRACE_MS : 0);
    await this.closeDangling(grace, 'startup-recovery');
    if (postgres && grace > 0) {
      this.sweep = setInterval(() => {
        this.closeDangling(grace, 'recovery-sweep').catch((err: unknown) =>
          this.logger.error(`closing stale audit intents failed: ${describe(err)}`),
        );
      }, this.options.sweepIntervalMs ?? 60_000);
      this.sweep.unref();
    }
  }

  /** Commits queued appends, then ends the writer thread; the database closes after. */
  async onModuleDestroy(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    await this.writer?.close();
    await this.store?.close();
    this.store = null;
    this.writer = null;
  }

  /** Durably records what is about to happen (or was refused); resolves only after commit. */
  async recordIntent(intent: AuditIntent): Promise<AuditRecord> {
    const { rows } = await this.write([intentDraft(intent)], NOT_WRITTEN);
    return this.announce(rows[0], null);
  }

  /** Closes an open allowed intent exactly once. */
  async recordOutcome(id: string, update: AuditOutcomeUpdate): Promise<AuditRecord> {
    const { rows, closed } = await this.write(
      [outcomeDraft(id, update)],
      'The audit outcome cannot be written',
    );
    return this.announce(rows[0], closed.get(id) ?? null);
  }

  /** An allowed record that is complete at once (reads, dry runs): intent and outcome in one commit. */
  async recordCompleted(intent: AuditIntent, update: AuditOutcomeUpdate): Promise<AuditRecord> {
    const draft = intentDraft(intent);
    const { rows, closed } = await this.write(
      [draft, outcomeDraft(draft.id, update)],
      'The audit record cannot be written',
    );
    this.announce(rows[0], null);
    return this.announce(rows[1], closed.get(draft.id) ?? null);
  }

  /** RBAC denials: a complete 'denied' record. */
  async recordDenied(attempt: DeniedAttempt): Promise<void> {
    await this.recordIntent({
      requestId: attempt.requestId,
      channel: attempt.channel,
      actor: actorOf(attempt.principal),
      action: attempt.action,
      sessionId: attempt.sessionId,
      reason: attempt.reason,
      decision: 'denied',
      errorCode: 'FORBIDDEN',
    });
  }

  /**
   * One page, newest first, without recording anything: the audit reads (audit-reads.ts) record
   * themselves through the audited-operations pipeline.
   */
  async page(query: AuditQuery): Promise<AuditPage> {
    const store = this.requireStore();
    try {
      return await runAuditQuery(store.db, query);
    } catch (err) {
      this.logger.error(`audit query failed: ${describe(err)}`);
      throw new GatewayError('AUDIT_UNAVAILABLE', 'The audit log cannot be read', { cause: err });
    }
  }

  /** Walks the whole chain; see chain-verifier.ts for what is detected. */
  async verify(): Promise<AuditVerifyResult> {
    const store = this.requireStore();
    return verifyChain(store.db, this.config.audit.hmacKey);
  }

  /** Readiness: throws AUDIT_UNAVAILABLE unless a write could be committed now. */
  async checkWritable(): Promise<void> {
    const store = this.requireStore();
    try {
      await store.checkWritable();
    } catch (err) {
      throw new GatewayError('AUDIT_UNAVAILABLE', 'The audit store is not writable', {
        cause: err,
      });
    }
  }

  /** SQLite files: the chain's writer thread, for writes beside the chain (event delivery). */
  get appendThread(): SqliteAppendThread | undefined {
    return this.requireStore().appendThread;
  }

  private requireStore(): AuditStore {
    if (!this.store) throw new GatewayError('AUDIT_UNAVAILABLE', 'The audit store is not open');
    return this.store;
  }

  private async write(drafts: EntryDraft[], failure: string): Promise<AppendResult> {
    if (!this.writer) {
      this.logger.error(`${failure}: the audit store is not open`);
      throw new GatewayError('AUDIT_UNAVAILABLE', failure);
    }
    try {
      return await this.writer.append(drafts);
    } catch (err) {
      if (err instanceof AuditStateError) {
        throw new GatewayError('INTERNAL', err.message, { cause: err });
      }
      this.logger.error(`${failure}: ${describe(err)}`);
      throw new GatewayError('AUDIT_UNAVAILABLE', failure, { cause: err });
    }
  }

  /** Every committed entry also becomes one JSON log line for log shippers. */
  private announce(row: ChainRow, closedIntent: ChainRow | null): AuditRecord {
    const record = closedIntent ? toAuditRecord(closedIntent, row) : toAuditRecord(row, null);
    this.logger.log({ audit: true, entry: row.kind, event: record });
    return record;
  }

  /** Closes allowed intents older than `graceMs` that have no outcome, as 'unknown'. */
  private async closeDangling(graceMs: number, closedBy: string): Promise<void> {
    const store = this.requireStore();
    const cutoff = new Date(Date.now() - graceMs).toISOString();
    const open = await findOpenIntents(store.db, cutoff);
    if (open.length === 0) return;
    const results = await Promise.allSettled(
      open.map((r) =>
        this.recordOutcome(r.id, { outcome: 'unknown', details: { closedBy } }).then(() => {
          this.logger.warn(`audit intent ${r.id} (seq ${r.seq}) had no outcome: closed as unknown`);
        }),
      ),
    );
    // Another replica closing the same intent first is fine; anything else is a store failure.
    const failed = results.filter(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' &&
        !(r.reason instanceof GatewayError && r.reason.code === 'INTERNAL'),
    );
    const closed = results.filter((r) => r.status === 'fulfilled').length;
    if (closed > 0) {
      this.logger.warn(`closed ${closed} audit intents left open by a crash or kill as unknown`);
    }
    if (failed.length > 0) throw failed[0].reason;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
