import { randomUUID } from 'node:crypto';
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { GatewayError, httpStatusFor } from '../errors';
import type { MetricsService } from './metrics.service';
import { toProblem } from './problem-details.filter';

/** Request heads (request line and headers) above this many bytes are refused: 431. */
export const HEADER_LIMIT_BYTES = 16 * 1024;

/**
 * What the HTTP server itself refuses, before (or while) a request exists for the application:
 * a request that did not arrive within its deadline, a head over the size limit, bytes that
 * are not HTTP/1.1. Node hands these to the server's 'clientError' event (Fastify's
 * `clientErrorHandler`); anything else the event reports is the transport failing
 * (ECONNRESET, EPIPE, …), where there is no one left to answer.
 */
export function refusalFor(code: string | undefined): GatewayError | undefined {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new GatewayError('REQUEST_TIMEOUT', 'Request not received in time', {
      detail: 'The request line, headers and body did not all arrive within the time allowed',
    });
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new GatewayError('HEADERS_TOO_LARGE', 'Request headers too large', {
      detail: `The request line and headers exceed ${HEADER_LIMIT_BYTES / 1024} KiB`,
    });
  }
  if (code?.startsWith('HPE_')) {
    return new GatewayError('BAD_USER_INPUT', 'Malformed request', {
      detail: 'The request is not valid HTTP/1.1',
    });
  }
  return undefined;
}

/** The in-flight response Node keeps on the socket (what its own clientError default checks). */
type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };

/**
 * Answers what the HTTP server refuses as problem details (the shape of every other error)
 * with X-Request-Id, where an answer can still be written (the socket writable, no other
 * response under way), then closes the socket: the rest of the stream cannot be trusted.
 * Replaces Fastify's default, which answers bare JSON without a request id. (Like Node's own
 * handler, it cannot tell that an answer already completed for a request whose body is still
 * arriving: that connection gets the refusal after it.)
 */
export class ClientErrorAnswerer {
  private readonly logger = new Logger('HttpServer');
  /** Set once the application exists (the handler is installed before it is created). */
  metrics?: MetricsService;

  readonly handle = (err: Error & { code?: string }, socket: Socket): void => {
    const refusal = socket.destroyed ? undefined : refusalFor(err.code);
    if (!refusal) {
      socket.destroy();
      return;
    }
    const remoteAddress = socket.remoteAddress;
    const inFlight = (socket as HttpSocket)._httpMessage ?? undefined;
    // A response under way is the refused request's own only while that request is still
    // arriving (its body trickles, its chunks are malformed); one for an earlier, complete
    // request (pipelining) would be read as answered by whatever is written now.
    const own = inFlight && !inFlight.req.complete ? inFlight : undefined;
    // Its headers were read, so it has an id (the caller's, if acceptable) that its log lines
    // already carry; a request that never got that far has nothing to take an id from.
    const requestId = (own?.req as { requestId?: string } | undefined)?.requestId ?? randomUUID();
    const status = httpStatusFor(refusal.code);
    if (socket.writable && (inFlight === undefined || (own !== undefined && !own.headersSent))) {
      const body = JSON.stringify(toProblem(refusal, requestId));
      // requestId is one of ours or passed SANE_REQUEST_ID (request-id.ts): no CR/LF.
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
          'Content-Type: application/problem+json\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-Id: ${requestId}\r\n` +
          'Cache-Control: no-store\r\n' +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy();
    // Never the raw bytes (err.rawPacket): they hold whatever the caller sent, tokens included.
    this.logger.warn(
      {
        reqId: requestId,
        requestId,
        code: refusal.code,
        status,
        reason: err.code,
        remoteAddress,
      },
      'request refused by the HTTP server',
    );
    this.metrics?.request('http', 'connection', refusal.code);
  };
}
