import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RemoteSession } from './pam-core.types';
import type { ParsedBody } from './segura-body';

/** Plain JavaScript beside this file, so it runs from src/ under jest and from dist/ alike. */
const THREAD_FILE = join(__dirname, 'session-list-worker.js');

/** How the list thread prepares a list: sorted in listing order, with its JSON for Redis. */
export interface ListOptions {
  sort: boolean;
  serialise: boolean;
}

/** A list as the cache takes it: `serialised` is `{fetchedAt, sessions}` as JSON, when asked for. */
export interface SessionList {
  sessions: RemoteSession[];
  /** When the answer arrived (epoch ms). */
  fetchedAt: number;
  serialised?: Buffer;
}

/** A list body parsed in its own thread; its sessions stay there until taken. */
export interface ParsedList {
  /** For the classifier: the body with its session list emptied. */
  parsed: ParsedBody;
  count: number;
  skipped: number;
  /** The sessions (and their JSON when asked for), a chunk per turn of the event loop. */
  take(): Promise<SessionList>;
  /** Ends the thread without taking anything (the answer was an error). */
  discard(): void;
}

interface Reply {
  parsed?: ParsedBody;
  count?: number;
  skipped?: number;
  fetchedAt?: number;
  invalid?: boolean;
  chunk?: RemoteSession[];
  done?: boolean;
  serialised?: Uint8Array;
}

/**
 * One body, one thread: JSON.parse, normalising and sorting 100,000 sessions take about a
 * second, which on the event loop stalled every probe and termination. The thread ends when its
 * sessions are taken, so its heap (the raw parse) goes back to the system with it.
 */
class ListThread {
  private readonly worker = new Worker(THREAD_FILE);
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  private exited = false;

  /**
   * A thread started ahead of need, so that a list does not wait for one to boot (tens of ms on
   * a busy machine). It idles unref'd: it never keeps the process alive.
   */
  private static spare: ListThread | null = null;

  static take(): ListThread {
    const t = ListThread.spare && !ListThread.spare.exited ? ListThread.spare : new ListThread();
    ListThread.spare = new ListThread();
    t.worker.ref();
    return t;
  }

  constructor() {
    this.worker.on('message', (r: Reply) => this.settle((w) => w.resolve(r)));
    this.worker.on('error', (e) => this.settle((w) => w.reject(e)));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.settle((w) => w.reject(new Error(`session list thread exited (${code})`)));
    });
    // After the listeners: a worker's first 'message' listener refs its port again, so a spare
    // unref'd before it kept the process from ever exiting (session-list-thread.spec.ts).
    this.worker.unref();
  }

  /** `bytes` are moved to the thread, not copied: the caller must not use them afterwards. */
  ask(message: Record<string, unknown>, bytes?: Uint8Array): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.waiting = { resolve, reject };
      if (!bytes) this.worker.postMessage(message);
      else {
        const own = ownBuffer(bytes);
        this.worker.postMessage({ ...message, bytes: own }, [own.buffer]);
      }
    });
  }

  async takeAll(): Promise<{ sessions: RemoteSession[]; serialised?: Buffer }> {
    const sessions: RemoteSession[] = [];
    for (;;) {
      const r = await this.ask({ type: 'next' });
      for (const s of r.chunk ?? []) sessions.push(s);
      if (r.done) {
        const b = r.serialised;
        return { sessions, serialised: b && Buffer.from(b.buffer, b.byteOffset, b.byteLength) };
      }
    }
  }

  end(): void {
    void this.worker.terminate();
  }

  private settle(act: (w: NonNullable<ListThread['waiting']>) => void): void {
    const w = this.waiting;
    this.waiting = null;
    if (w) act(w);
  }
}

/**
 * A view whose ArrayBuffer is its own, so moving it detaches nothing else (a small Buffer may
 * sit in Node's shared pool).
 */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes);
}

/**
 * Parses Segura's list answer off the event loop (`key`: the list's key in the body). The
 * bytes are moved to the thread.
 */
export async function parseListAnswer(
  bytes: Uint8Array,
  contentType: string | undefined,
  opts: { key: string; sort: boolean; serialise: boolean },
): Promise<ParsedList> {
  const thread = ListThread.take();
  try {
    const r = await thread.ask({ type: 'answer', contentType, ...opts }, bytes);
    const fetchedAt = r.fetchedAt ?? Date.now();
    const taken = async (): Promise<SessionList> => {
      if (r.count === 0) {
        thread.end();
        const serialised = opts.serialise
          ? Buffer.from(JSON.stringify({ fetchedAt, sessions: [] }))
          : undefined;
        return { sessions: [], fetchedAt, serialised };
      }
      return { ...(await thread.takeAll()), fetchedAt };
    };
    return {
      parsed: r.parsed ?? { kind: 'garbage' },
      count: r.count ?? 0,
      skipped: r.skipped ?? 0,
      take: taken,
      discard: () => thread.end(),
    };
  } catch (err) {
    thread.end();
    throw err;
  }
}

/** The list another replica shared (`{fetchedAt, sessions}`), parsed off the event loop. */
export async function parseSharedList(
  bytes: Uint8Array,
): Promise<{ sessions: RemoteSession[]; fetchedAt: number } | null> {
  const thread = ListThread.take();
  try {
    const r = await thread.ask({ type: 'shared' }, bytes);
    if (r.invalid || r.fetchedAt === undefined) return null;
    const { sessions } = r.count === 0 ? { sessions: [] } : await thread.takeAll();
    return { sessions, fetchedAt: r.fetchedAt };
  } finally {
    thread.end();
  }
}
