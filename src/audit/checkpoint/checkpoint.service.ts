import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MetricsService } from '../../observability/metrics.service';
import { openDatabase, type Database } from '../../database/database';
import type { AuditDb } from '../audit-entry';
import type { AuditStore } from '../audit-store';
import { writeCheckpoint, type CheckpointResult } from './checkpoint-writer';

/**
 * Writes a signed checkpoint of the chain head every AUDIT_CHECKPOINT_INTERVAL_S and at a clean
 * shutdown, when the head has moved (README, "Signed checkpoints"). Off without a key.
 *
 * Reads the chain through a read-only connection of its own: its module is destroyed after the
 * (global) audit module, so the final checkpoint sees every append committed before shutdown.
 */
@Injectable()
export class CheckpointService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AuditCheckpoint');
  private database: Database | null = null;
  private store: Pick<AuditStore, 'dialect' | 'db'> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CheckpointResult | null> = Promise.resolve(null);

  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'audit' | 'checkpoints'>,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const settings = this.config.checkpoints;
    if (!settings) return;
    // Not created when missing: a share that failed to mount must stop the start, not leave
    // each replica writing a sequence of its own onto local disk.
    try {
      if (!(await stat(settings.dir)).isDirectory()) throw new Error('not a directory');
      await access(settings.dir, fsConstants.W_OK);
    } catch (err) {
      throw new Error('AUDIT_CHECKPOINT_DIR: must be an existing, writable directory', {
        cause: err,
      });
    }
    this.database = await openDatabase(this.config.audit.databaseUrl, {
      readOnly: true,
      onBackgroundError: (err) =>
        this.logger.error(`checkpoint database connection failed: ${err.message}`),
    });
    this.store = { dialect: this.database.dialect, db: this.database.db.withTables<AuditDb>() };
    // Another replica's checkpoint younger than this counts for the interval; the slack keeps
    // this replica's own timer (which fires a little less than an interval after its write)
    // from skipping its turn.
    const intervalMs = settings.intervalS * 1000;
    const minAgeMs = intervalMs - Math.min(intervalMs / 4, 5000);
    this.timer = setInterval(() => void this.checkpoint(minAgeMs), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes the final checkpoint (if the head moved), then closes. */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.store) return;
    await this.checkpoint(0);
    await this.database?.close().catch(() => undefined);
    this.database = null;
    this.store = null;
  }

  /**
   * Runs one checkpoint attempt after the one in progress; never throws (a failure is logged
   * and counted, and never touches a termination). `minAgeMs`: see writeCheckpoint.
   */
  checkpoint(minAgeMs: number): Promise<CheckpointResult | null> {
    const run = this.running.then(() => this.attempt(minAgeMs));
    this.running = run;
    return run;
  }

  private async attempt(minAgeMs: number): Promise<CheckpointResult | null> {
    const settings = this.config.checkpoints;
    if (!settings || !this.store) return null;
    let result: CheckpointResult;
    try {
      result = await writeCheckpoint(
        { store: this.store, key: settings.key, dir: settings.dir },
        minAgeMs,
      );
    } catch (err) {
      this.metrics?.auditCheckpoint('error');
      this.logger.error(`audit checkpoint failed: ${describe(err)}`);
      return null;
    }
    if (result.written) {
      const { name, body } = result;
      this.metrics?.auditCheckpoint('written', Date.parse(body.time) / 1000);
      this.logger.log(
        { checkpoint: name, seq: body.seq, entries: body.entries },
        'audit checkpoint written',
      );
      return result;
    }
    const newest = result.newest ? Date.parse(result.newest.time) / 1000 : undefined;
    this.metrics?.auditCheckpoint(result.problem ? 'error' : 'skipped', newest);
    if (result.problem) this.logger.error(`audit checkpoint refused: ${result.reason}`);
    else this.logger.debug(`audit checkpoint skipped: ${result.reason}`);
    return result;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
