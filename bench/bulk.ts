/**
 * Bulk at incident scale: one bulk termination of N active sessions (a caller holding
 * session:terminate:bulk) against a simulator whose drop takes 50 ms (its latency fault), once
 * per BULK_CONCURRENCY value, each on a fresh gateway and a freshly seeded list. Segura's
 * concurrent calls are counted by a pass-through front in this process (every call the gateway
 * makes to Segura goes through it), so the simulator is measured as it is.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import { generateSessions } from '../simulator/seed';
import { freePort, round, start, tsNode, waitFor } from './processes';
import { CLIENT, type Gateway, procs } from './stack';

export interface BulkRun {
  concurrency: number;
  sessions: number;
  dropMs: number;
  wallMs: number;
  /** sessions × dropMs / concurrency */
  idealMs: number;
  terminated: number;
  failed: number;
  peakConcurrentCalls: number;
  peakConcurrentDrops: number;
  calls: number;
}

export interface BulkOptions {
  sessions: number;
  dropMs: number;
  concurrencies: number[];
  /** A gateway with BULK_CONCURRENCY set, calling Segura at `seguraUrl`. */
  startGateway(seguraUrl: string, concurrency: number): Promise<Gateway>;
  headers: Record<string, string>;
}

const DROP = /\/session\/drop\//;

/** Forwards everything to `target`, counting calls in flight (all of them, and drops). */
class CountingFront {
  inFlight = 0;
  drops = 0;
  peak = 0;
  peakDrops = 0;
  calls = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  private server?: Server;

  constructor(private readonly target: URL) {}

  async listen(): Promise<string> {
    const port = await freePort();
    this.server = createServer((req, res) => {
      const drop = req.method === 'DELETE' && DROP.test(req.url ?? '');
      this.calls += 1;
      this.inFlight += 1;
      this.peak = Math.max(this.peak, this.inFlight);
      if (drop) {
        this.drops += 1;
        this.peakDrops = Math.max(this.peakDrops, this.drops);
      }
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.inFlight -= 1;
        if (drop) this.drops -= 1;
      };
      res.once('close', finish);
      const up = request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: this.agent,
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${port}`;
  }

  reset(): void {
    this.peak = this.inFlight;
    this.peakDrops = this.drops;
    this.calls = 0;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

async function control(simUrl: string, method: string, path: string, body: unknown) {
  const res = await fetch(`${simUrl}/__sim${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`simulator ${method} ${path}: HTTP ${res.status}`);
}

export async function bulk(o: BulkOptions): Promise<BulkRun[]> {
  const simPort = await freePort();
  const [cmd, args] = tsNode(
    'simulator/main.ts',
    '--port',
    String(simPort),
    '--seed',
    '0',
    '--client-id',
    CLIENT.id,
    '--client-secret',
    CLIENT.secret,
  );
  const sim = start(cmd, args);
  procs.push(sim);
  const simUrl = `http://127.0.0.1:${simPort}`;
  await waitFor(`${simUrl}/__sim/stats`);
  await control(simUrl, 'POST', '/faults', {
    fault: { kind: 'latency', ms: o.dropMs },
    match: { method: 'DELETE', path: 'drop' },
    times: null,
  });
  const front = new CountingFront(new URL(simUrl));
  const frontUrl = await front.listen();
  const runs: BulkRun[] = [];
  try {
    for (const concurrency of o.concurrencies) {
      const seeded = generateSessions(o.sessions).map((s) => ({ ...s, end: '' }));
      await control(simUrl, 'PUT', '/sessions', seeded);
      await control(simUrl, 'DELETE', '/requests', undefined);
      const gw = await o.startGateway(frontUrl, concurrency);
      try {
        front.reset();
        const started = performance.now();
        const res = await fetch(`${gw.url}/api/v1/sessions/terminate`, {
          method: 'POST',
          headers: o.headers,
          body: JSON.stringify({ filter: { all: true }, reason: 'bench bulk' }),
        });
        const answer = (await res.json()) as { terminatedCount?: number; failedCount?: number };
        const wallMs = round(performance.now() - started, 0);
        if (!res.ok) throw new Error(`bulk termination: HTTP ${res.status}`);
        const run: BulkRun = {
          concurrency,
          sessions: o.sessions,
          dropMs: o.dropMs,
          wallMs,
          idealMs: round((o.sessions * o.dropMs) / concurrency, 0),
          terminated: answer.terminatedCount ?? 0,
          failed: answer.failedCount ?? 0,
          peakConcurrentCalls: front.peak,
          peakConcurrentDrops: front.peakDrops,
          calls: front.calls,
        };
        runs.push(run);
        process.stdout.write(
          `  ${`bulk ${o.sessions} × ${o.dropMs} ms, BULK_CONCURRENCY=${concurrency}`.padEnd(44)} ` +
            `${wallMs} ms (ideal ${run.idealMs}, ${round(wallMs / run.idealMs, 2)}×), ` +
            `terminated ${run.terminated}, failed ${run.failed}, peak concurrent drops ${run.peakConcurrentDrops} (calls ${run.peakConcurrentCalls})\n`,
        );
      } finally {
        await gw.proc.stop();
      }
    }
  } finally {
    await front.close();
    await sim.stop();
  }
  return runs;
}
