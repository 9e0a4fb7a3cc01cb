/**
 * A webhook receiver for `npm run demo`: verifies each delivery as the Standard Webhooks
 * specification says (the same steps as docs/events.md) and prints one line per event. Alone:
 * `npx ts-node -T scripts/demo-receiver.ts --port 8082 --secret whsec_…`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { parseArgs } from 'node:util';

/** Why a delivery does not verify, or null when it does. */
export function verifyDelivery(secret: string, headers: IncomingHttpHeaders, body: string) {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof signatures !== 'string') {
    return 'missing webhook headers';
  }
  if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 300) {
    return 'timestamp more than 5 minutes off';
  }
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  const match = signatures.split(' ').some((s) => {
    const [version, value] = s.split(',');
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  return match ? null : 'no matching signature';
}

/** Listens on 127.0.0.1:`port` and prints what arrives; resolves with the URL to send to. */
export async function startDemoReceiver(
  secret: string,
  port: number,
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const problem = verifyDelivery(secret, req.headers, body);
      if (problem) {
        print(`[receiver] refused a delivery: ${problem}`);
        res.writeHead(401).end();
        return;
      }
      const e = JSON.parse(body) as {
        type: string;
        subject?: string;
        data: { decision: string; outcome: string | null; actor: { name: string } };
      };
      const d = e.data;
      print(
        `[receiver] ${e.type} ${e.subject ?? '-'} by ${d.actor.name}: ${d.decision}` +
          `${d.outcome ? `, ${d.outcome}` : ''} (signature verified)`,
      );
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/events`, server };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '8082' }, secret: { type: 'string' } },
  });
  if (!values.secret?.startsWith('whsec_')) {
    process.stderr.write('usage: demo-receiver --port 8082 --secret whsec_…\n');
    process.exit(2);
  }
  void startDemoReceiver(values.secret, Number(values.port)).then(({ url }) =>
    process.stdout.write(`receiving events at ${url}\n`),
  );
}
