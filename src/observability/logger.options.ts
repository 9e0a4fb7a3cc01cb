import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { destination, type DestinationStream } from 'pino';
import { recordableText } from '../audit/audit-text';
import type { AppConfig } from '../config';
import { redactSecrets } from './redact';
import { assignRequestId } from './request-id';

/** nestjs-pino parameters: JSON lines, request id on every line, no secrets. */
export function loggerParams(
  config: Pick<AppConfig, 'logLevel'>,
  stream?: DestinationStream,
): Params {
  const options = {
    level: config.logLevel,
    genReqId: (req: IncomingMessage, res: ServerResponse) => assignRequestId(req, res),
    // Secret keys at any depth (redact.ts): the second line of defence behind the serializers.
    formatters: { log: (obj: Record<string, unknown>) => redactSecrets(obj) },
    // Only what an operator needs; query strings and headers may carry secrets.
    serializers: {
      req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        // The raw path may carry a caller's bytes (a session id); logged printable only.
        path: recordableText(req.url.split('?')[0]),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    // The request id under the audit record's name too, on the line that ends each request. Put
    // in that line's object rather than bound with customProps, which made a third child logger
    // per request and re-serialised its bindings when the answer went out (bench/profile.ts).
    customSuccessObject: withRequestId,
    customErrorObject: (req: IncomingMessage, res: ServerResponse, _err: Error, value: object) =>
      withRequestId(req, res, value),
    quietReqLogger: true,
  };
  return {
    pinoHttp: [options, stream ?? stdoutDestination()],
  };
}

function withRequestId(req: IncomingMessage, _res: ServerResponse, value: object): object {
  return { ...value, requestId: (req as IncomingMessage & { requestId?: string }).requestId };
}

let stdout: ReturnType<typeof destination> | undefined;

/** Longest a log line waits in the stdout buffer (and so the most a kill -9 can lose). */
export const LOG_FLUSH_INTERVAL_MS = 1000;

/** Bytes of lines collected before one write(2): about four lines. */
export const LOG_BUFFER_BYTES = 4096;

/**
 * stdout, buffered: lines are written in blocks of about 4 KiB instead of one write(2) per line
 * (a termination logs three lines; measured at about a tenth of the gateway's CPU under load).
 * Flushed at exit, so a clean shutdown or process.exit loses nothing, and every second, so a
 * quiet gateway's lines (errors, audit entries for the SIEM) are not held until 4 KiB pile up;
 * the audit store, not the log, is the record of truth.
 *
 * The write happens when the block is full, synchronously, as pino's default destination does.
 * Asynchronous writes (sonic-boom keeps one 16 KiB write in flight, its completion handled once
 * per event-loop turn) fell behind a saturated gateway: with 500 connections the turns last tens
 * of milliseconds while the gateway logs ~9 MB/s, and the backlog grew without bound (heap after
 * full GCs 215 -> 290 MB in 15 s, RSS 1.3 GB after a minute). Larger async writes made sonic-boom
 * re-measure the growing block for every line (half the throughput). A stdout that cannot take
 * the lines now slows the gateway down instead of filling its memory.
 */
export function stdoutDestination(): ReturnType<typeof destination> {
  if (stdout) return stdout;
  const dest = bufferedDestination(1);
  process.once('exit', () => dest.flushSync());
  stdout = dest;
  return dest;
}

/** The buffered destination stdout uses, for any file descriptor or path (tests use a file). */
export function bufferedDestination(fdOrPath: number | string): ReturnType<typeof destination> {
  return destination({
    dest: fdOrPath,
    sync: true,
    minLength: LOG_BUFFER_BYTES,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
  });
}
