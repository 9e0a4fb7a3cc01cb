import { hash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { canonicalJson } from '../audit/audit-hash';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, AppConfig } from '../config';
import { GatewayError } from '../errors';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';

const POLL_MS = 200;

/** SHA-256 of the canonical request: what makes "the same request" under one key. */
export function fingerprintOf(request: Record<string, unknown>): string {
  return hash('sha256', canonicalJson(request), 'hex');
}

/** Answers carry `replayed`, true when they are a stored first answer. */
export type Replayable<T> = T & { replayed: boolean };

/**
 * Runs a request at most once per (principal, key) within IDEMPOTENCY_TTL_HOURS:
 * - a repeat with the same request gets the stored first answer, without calling Segura;
 * - the same key with a different request is IDEMPOTENCY_KEY_REUSED (422);
 * - a repeat while the first is still running waits for it (same replica: its promise; other
 *   replicas: polling the store) up to twice the PAM Core timeout plus 2 s, then gets
 *   IDEMPOTENCY_KEY_REUSED with Retry-After, and Segura is never called twice;
 * - only answers are stored: a request that failed frees its key, so a retry runs again.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger('Idempotency');
  private readonly running = new Map<string, { fingerprint: string; done: Promise<unknown> }>();
  private readonly waitMs: number;

  constructor(
    private readonly store: IdempotencyRepository,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'pamCore'>,
  ) {
    this.waitMs = config.pamCore.timeoutMs * 2 + 2000;
  }

  async run<T extends object>(
    principal: Principal,
    key: string | undefined,
    fingerprintOfRequest: () => string,
    work: () => Promise<T>,
  ): Promise<Replayable<T>> {
    if (key === undefined) return { ...(await work()), replayed: false };
    // Only a keyed request is compared with an earlier one: no hash for the rest.
    const fingerprint = fingerprintOfRequest();
    // The credential's key, never its claims: a token cannot reach a service key's answers.
    const owner = principal.key;
    const local = `${owner}\n${key}`;
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const mine = this.running.get(local);
      if (mine) {
        if (mine.fingerprint !== fingerprint) throw reused();
        const settled = await within(mine.done, deadline - Date.now());
        if (!settled) throw inProgress();
      }
      const r = await this.store.reserve(owner, key, fingerprint);
      switch (r.kind) {
        case 'replay':
          return { ...(r.response as T), replayed: true };
        case 'mismatch':
          throw reused();
        case 'pending':
          if (Date.now() >= deadline) throw inProgress();
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          continue;
        case 'reserved':
          return { ...(await this.execute(owner, key, fingerprint, local, work)), replayed: false };
      }
    }
  }

  private async execute<T extends object>(
    owner: string,
    key: string,
    fingerprint: string,
    local: string,
    work: () => Promise<T>,
  ): Promise<T> {
    const done = (async () => {
      let value: T;
      try {
        value = await work();
      } catch (err) {
        await this.store.release(owner, key).catch((e: unknown) => this.warn('release', e));
        throw err;
      }
      // Segura has acted: a failure to store the answer must not change it.
      await this.store
        .complete(owner, key, fingerprint, value)
        .catch((e: unknown) => this.warn('store', e));
      return value;
    })();
    this.running.set(local, { fingerprint, done });
    try {
      return await done;
    } finally {
      this.running.delete(local);
    }
  }

  private warn(what: string, err: unknown): void {
    this.logger.error(
      `could not ${what} an idempotency key: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** True when `p` settles (either way) before `ms` have passed. */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, ms));
    const settle = () => {
      clearTimeout(timer);
      resolve(true);
    };
    p.then(settle, settle);
  });
}

function reused(): GatewayError {
  return new GatewayError('IDEMPOTENCY_KEY_REUSED', 'Idempotency key reused', {
    field: 'idempotencyKey',
    detail: 'This idempotency key was already used for a different request',
  });
}

function inProgress(): GatewayError {
  return new GatewayError('IDEMPOTENCY_KEY_REUSED', 'Idempotency key in use', {
    field: 'idempotencyKey',
    detail: 'A request with this idempotency key is still in progress; retry later',
    retryAfterSeconds: 2,
  });
}
