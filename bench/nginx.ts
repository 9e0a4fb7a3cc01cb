/**
 * The plain forwarder, the anchor the gateway's throughput is compared with: Debian's nginx when
 * it is installed (`.ci/run` installs it; the bench never installs anything), one worker process
 * so that it compares with one Node process, keep-alive to the simulator, access log off, the
 * one static bearer token injected, nothing else. Without nginx: `bench/forwarder.ts` (node:http).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Proc, start, tsNode, waitFor } from './processes';

export interface Forwarder {
  /** 'nginx 1.22.1 (1 worker)' or 'bench/forwarder.ts (node:http)'. */
  kind: string;
  url: string;
  proc: Proc;
  /** The process doing the forwarding (nginx's worker, not its master), for CPU and RSS. */
  workPid: number;
  cleanup(): void;
}

const NGINX_PATHS = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];

function nginxBinary(): string | undefined {
  return NGINX_PATHS.find((p) => existsSync(p));
}

export function nginxConf(listenPort: number, upstream: URL, token: string): string {
  return `worker_processes 1;
daemon off;
pid nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path tmp/body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  keepalive_timeout 65s;
  keepalive_requests 10000000;
  upstream segura {
    server ${upstream.hostname}:${upstream.port};
    keepalive 256;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://segura;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host ${upstream.host};
      proxy_set_header Authorization "Bearer ${token}";
    }
  }
}
`;
}

/** nginx's worker: the master's only child (Linux /proc), or the master itself. */
function workerOf(masterPid: number): number {
  try {
    const kids = readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').trim();
    const first = Number(kids.split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : masterPid;
  } catch {
    return masterPid;
  }
}

export async function startForwarder(
  simUrl: string,
  token: string,
  opts: { node?: boolean } = {},
): Promise<Forwarder> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nginx = opts.node ? undefined : nginxBinary();
  if (nginx) {
    const prefix = mkdtempSync(join(tmpdir(), 'pam-gateway-bench-nginx-'));
    mkdirSync(join(prefix, 'tmp'));
    const conf = join(prefix, 'nginx.conf');
    writeFileSync(conf, nginxConf(port, new URL(simUrl), token));
    // `nginx -v` prints to stderr.
    const version = /nginx\/(\S+)/.exec(spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr);
    const proc = start(nginx, ['-c', conf, '-p', `${prefix}/`, '-e', 'stderr']);
    const cleanup = () => rmSync(prefix, { recursive: true, force: true });
    proc.child.once('exit', cleanup); // also when the bench fails and stops everything
    await waitFor(`${url}/__sim/stats`);
    return {
      kind: `nginx ${version?.[1] ?? '?'} (1 worker)`,
      url,
      proc,
      workPid: workerOf(proc.pid),
      cleanup,
    };
  }
  const [cmd, args] = tsNode('bench/forwarder.ts', String(port), simUrl, token);
  const proc = start(cmd, args);
  await waitFor(`${url}/__sim/stats`);
  return {
    kind: `bench/forwarder.ts (node:http; ${opts.node ? '--node-forwarder' : 'nginx not installed'})`,
    url,
    proc,
    workPid: proc.pid,
    cleanup: () => undefined,
  };
}
