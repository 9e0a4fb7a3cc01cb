/** Small node:http helpers (no framework: the simulator must absorb benchmark load). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimReply } from './segura-responses';

const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the whole request body as UTF-8 (capped: a simulator needs no large uploads). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Writes a complete answer unless the client is already gone (reset, stop()). */
export function sendReply(res: ServerResponse, reply: SimReply): void {
  if (res.writableEnded || res.destroyed) return;
  const headers: Record<string, string | number> = {
    'content-length': Buffer.byteLength(reply.body),
    ...reply.headers,
  };
  if (reply.contentType !== '') headers['content-type'] = reply.contentType;
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

export function jsonReply(status: number, body: unknown): SimReply {
  return {
    status,
    body: body === undefined ? '' : JSON.stringify(body),
    contentType: body === undefined ? '' : 'application/json',
  };
}

/** Splits a raw request target into raw path and raw query (nothing decoded). */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0
    ? { path: target, query: '' }
    : { path: target.slice(0, q), query: target.slice(q + 1) };
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
