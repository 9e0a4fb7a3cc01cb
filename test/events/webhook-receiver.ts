import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

/** A fresh Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function webhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** One event as the receiver got it, after its signature verified. */
export interface Received {
  webhookId: string;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  event: any;
}

const TOLERANCE_S = 5 * 60;

/**
 * Checks a delivery as the Standard Webhooks specification says, with node:crypto and not the
 * gateway's library: the signature over "id.timestamp.body" with the base64-decoded secret, one
 * of the space-separated `v1,` signatures matching, and a timestamp within five minutes.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): string | null {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') {
    return 'missing webhook headers';
  }
  if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > TOLERANCE_S) {
    return 'timestamp outside the tolerance';
  }
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  const ok = sigs.split(' ').some((s) => {
    const [version, sig] = s.split(',');
    const given = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  return ok ? null : 'no matching signature';
}

/** A webhook receiver on loopback that verifies every delivery; can be stopped and restarted. */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Deliveries whose signature or form did not verify (answered 401). */
  readonly rejected: string[] = [];
  /** The status answered to verified deliveries; only 2xx ones are kept in `received`. */
  status = 204;
  /** Verified deliveries, whatever was answered. */
  attempts = 0;
  /** The body of every answer (the gateway must never log or keep it). */
  answerBody = '';
  private server: Server | null = null;

  constructor(private readonly secret: string) {}

  /** Listens on 127.0.0.1:`port`; resolves with the URL deliveries go to. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const problem =
          req.headers['content-type'] !== 'application/cloudevents+json'
            ? 'content-type is not application/cloudevents+json'
            : verifyWebhook(this.secret, req.headers, body);
        if (problem) {
          this.rejected.push(problem);
          res.writeHead(401).end();
          return;
        }
        this.attempts += 1;
        if (this.status >= 200 && this.status < 300) {
          this.received.push({
            webhookId: String(req.headers['webhook-id']),
            body,
            event: JSON.parse(body) as unknown,
          });
        }
        res.writeHead(this.status, { 'content-type': 'text/plain' }).end(this.answerBody);
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/audit`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Events by id, first arrival only, in arrival order. */
  firsts(): Received[] {
    const seen = new Set<string>();
    return this.received.filter((r) => !seen.has(r.webhookId) && seen.add(r.webhookId));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The chain seq that completed an event's record (its outcome, or the record itself). */
export function completionSeq(r: Received): number {
  const data = r.event.data as { seq: number; outcomeSeq: number | null };
  return data.outcomeSeq ?? data.seq;
}

/** Polls an async `condition` every 50 ms; fails after `timeoutMs` instead of waiting forever. */
export async function eventually(condition: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
