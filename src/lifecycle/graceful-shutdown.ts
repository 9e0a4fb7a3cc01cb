import type { Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';

/** Counts requests that have started and not yet finished, so shutdown can wait for them. */
export class InFlightTracker {
  private count = 0;
  private waiters: Array<() => void> = [];

  /** Counts the request this response belongs to until the response closes. */
  track(res: ServerResponse): void {
    this.count++;
    let done = false;
    res.once('close', () => {
      if (done) return;
      done = true;
      this.count--;
      if (this.count === 0) for (const w of this.waiters.splice(0)) w();
    });
  }

  get inFlight(): number {
    return this.count;
  }

  /** Resolves true when nothing is in flight, false when `ms` passed first. */
  drained(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/**
 * SIGTERM: stop accepting connections, let in-flight terminations finish and write their audit
 * outcomes, then run Nest's shutdown hooks (stores closed) and exit 0 — all within timeoutMs.
 * Nest's own enableShutdownHooks would close the stores while requests are still running.
 */
export function installGracefulShutdown(
  app: INestApplication,
  tracker: InFlightTracker,
  timeoutMs: number,
): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const server = app.getHttpServer() as Server;
    logger.log(
      { signal, inFlight: tracker.inFlight },
      'stopping: no new connections, draining in-flight requests',
    );
    server.close();
    server.closeIdleConnections();
    const drained = await tracker.drained(timeoutMs);
    if (!drained)
      logger.warn(
        { inFlight: tracker.inFlight },
        'shutdown timeout: closing with requests still in flight',
      );
    server.closeAllConnections();
    try {
      await app.close();
    } catch (err) {
      logger.error(
        { err: err instanceof Error ? err.message : String(err) },
        'error while closing',
      );
      process.exit(1);
    }
    logger.log('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
